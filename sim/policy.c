/*
 * policy.c - the table of policy types (sim/policy.h).
 *
 * One row per type; a new type is a file under sim/policy/ and a row here
 * (docs/architecture.md walks through adding one).
 */
#include <stdio.h>
#include <stdlib.h>
#include "policy.h"

typedef struct policy_row {
    ms_policy_type type;           /* the scenario's policy type */
    const char *name;              /* as written in scenario files */
    ms_policy_compile_fn compile;  /* into the engine */
} policy_row;

static const policy_row policy_table[] = {
    {MS_POL_EXPORT_CONTROL, "export_control", ms_export_control_compile},
    {MS_POL_TARIFF, "tariff", ms_tariff_compile},
    {MS_POL_RECYCLING, "recycling", ms_recycling_compile},
    {MS_POL_STOCKPILE, "stockpile", ms_stockpile_compile},
    {MS_POL_DEMAND_SHOCK, "demand_shock", ms_demand_shock_compile},
};

int ms_policy_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    for (size_t k = 0; k < sizeof policy_table / sizeof policy_table[0]; k++)
        if (policy_table[k].type == cp->pol->type)
            return policy_table[k].compile(e, cp, err, errlen);
    snprintf(err, errlen, "policy %s: unknown type", cp->pol->name ? cp->pol->name : "?");
    return -1;
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
