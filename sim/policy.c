/*
 * policy.c - the table of policy types (sim/policy.h).
 *
 * One row per type; a new type is a file under sim/policy/ and a row here
 * (docs/architecture.md walks through adding one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"
#include "policy.h"

const ms_policy_type *const ms_policy_types[] = {
    &ms_policy_export_control,
    &ms_policy_tariff,
    &ms_policy_recycling,
    &ms_policy_stockpile,
    &ms_policy_demand_shock,
    NULL,
};

const ms_policy_type *ms_policy_type_find(const char *name)
{
    for (int k = 0; name && ms_policy_types[k]; k++)
        if (!strcmp(ms_policy_types[k]->name, name))
            return ms_policy_types[k];
    return NULL;
}

const char *ms_policy_type_name(const ms_policy *p)
{
    return p && p->type ? p->type->name : "?";
}

int ms_policy_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_policy_type *t = cp->pol->type;
    int v4 = e->batch != ms_path_batch_select_baseline();
    if (!t) {
        snprintf(err, errlen, "policy %s: no type", cp->pol->name ? cp->pol->name : "?");
        return -1;
    }
    return (v4 ? t->compile_v4 : t->compile)(e, cp, err, errlen);
}

int *ms_policy_flows(const ms_engine *e, int s, int p, const int *importers, int *n)
{
    int *v = malloc(sizeof(int) * (size_t)(e->I ? e->I : 1));
    *n = 0;
    if (!v)
        return NULL;
    for (int i = 0; i < e->I; i++) {
        int f = e->flow_id[(s * e->I + i) * e->P + p];
        if (f != NONE && (!importers || importers[i]))
            v[(*n)++] = f;
    }
    return v;
}

void ms_policy_ref_touch(const ms_engine *e, const ms_hook_ctx *x, const double *start, const int *importers)
{
    for (int l = 0; l < MS_LANES; l++) {
        double v = start[l];
        if (!(v < e->T))
            continue;
        for (int i = 0; i < e->I; i++)
            if ((!importers || importers[i]) && v < x->refa_imp[i * MS_LANES + l])
                x->refa_imp[i * MS_LANES + l] = v;
        if (v < x->refa_all[l])
            x->refa_all[l] = v;
    }
}
