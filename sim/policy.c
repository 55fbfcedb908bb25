/*
 * policy.c - the table of policy types (sim/policy.h).
 *
 * One row per type; a new type is a file under sim/policy/ and a row here
 * (docs/architecture.md walks through adding one).
 */
#include <stdio.h>
#include <stdlib.h>
#include "policy.h"

#ifdef MS_HAVE_V4
int ms_export_control_compile_v4(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
int ms_tariff_compile_v4(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
int ms_recycling_compile_v4(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
int ms_stockpile_compile_v4(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
int ms_demand_shock_compile_v4(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
#define V4(f) f##_v4
#else
#define V4(f) f
#endif

typedef struct policy_row {
    ms_policy_type type;           /* the scenario's policy type */
    const char *name;              /* as written in scenario files */
    ms_policy_compile_fn compile;  /* into the engine (baseline build) */
    ms_policy_compile_fn compile_v4; /* the x86-64-v4 build */
} policy_row;

static const policy_row policy_table[] = {
    {MS_POL_EXPORT_CONTROL, "export_control", ms_export_control_compile, V4(ms_export_control_compile)},
    {MS_POL_TARIFF, "tariff", ms_tariff_compile, V4(ms_tariff_compile)},
    {MS_POL_RECYCLING, "recycling", ms_recycling_compile, V4(ms_recycling_compile)},
    {MS_POL_STOCKPILE, "stockpile", ms_stockpile_compile, V4(ms_stockpile_compile)},
    {MS_POL_DEMAND_SHOCK, "demand_shock", ms_demand_shock_compile, V4(ms_demand_shock_compile)},
};

int ms_policy_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    int v4 = e->batch != ms_path_batch_select_baseline();
    for (size_t k = 0; k < sizeof policy_table / sizeof policy_table[0]; k++)
        if (policy_table[k].type == cp->pol->type)
            return (v4 ? policy_table[k].compile_v4 : policy_table[k].compile)(e, cp, err, errlen);
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
