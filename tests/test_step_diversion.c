/*
 * test_step_diversion.c - step 7, supplier allocation and diversion
 * (docs/model.md, "7. Supplier allocation"), against numbers worked out by
 * hand through the real engine with fixed inputs.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "magsim/engine.h"
#include "testutil.h"

/* Version 2, item 6: a supplier that served a request in full is a
 * diversion target, even when the shares of its licence leave a rounding
 * residue.  usa takes 100 t/month, half from a, half from b; b is out from
 * month 0 (hazard 1, cut 1, 12 months).  A licence on a from month 0 covers
 * affected 0.21 x (1 - general licence 0.1) = 0.189 of the flow, approval 1:
 * a's budget is 0.189 x 50 = 9.45 t, exactly what the 50 t request needs,
 * so a serves all 50 t.  (In doubles, 0.811 + 0.189 x 50 / 50 is one ulp
 * below 1, and 50 - 50 x that is 7e-15 t "unmet".)
 * Diversion: b rationed 50 t; 0.5 x 50 = 25 t go to a.  The free share
 * passes, 0.811 x 25 = 20.275 t; the covered share finds the budget spent.
 * a ships 50 + 20.275 = 70.275 t. */
static void test_full_service_is_a_target(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 12}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "  b: {country: JP, capacity_t_per_year: {ndfeb: 1000000},\n"
        "      outages: {hazard_per_month: 1, duration_months: 12, cut: 1}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 0.5, b: 0.5}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {cost_sensitivity: 0, diversion: 0.5}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n"
        "policies:\n"
        "  - {name: lic, type: export_control, exporter: a, mode: license, start: 2025-01,\n"
        "     affected: 0.21, general_license: 0.1, license: {approval: 1}}\n");
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, requests, 0, 0, 0, 0), 50.0, 1e-9);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, 0, 0, 0), 50.0 + 0.811 * 25.0, 1e-9);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, 1, 0, 0), 0.0, 0);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_service_is_a_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
