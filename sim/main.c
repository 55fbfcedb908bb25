/* placeholder: the command line lands with the CLI commit */
#include <stdio.h>
int main(void) { puts("magsim"); return 0; }
