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

/* Capacity rationing: when the requests that passed the controls exceed
 * a supplier's exportable capacity, every importer gets the same fraction
 * E / P_s.  Supplier a: 1200 t/yr, export share 0.5: E = 50 t/month.  usa
 * (100 t/month) and jpn (50 t/month) buy only from a, one month of cover,
 * no diversion; %s: policies.
 * No policy.  Month 0: P = 100 + 50 = 150 t, fraction 50/150 = 1/3: usa
 * gets 33.33 t, jpn 16.67 t; stocks cover the month (consumption 100 and
 * 50), leaving 33.33 and 16.67 t.  Month 1: usa orders 100 + (100 - 33.33)
 * = 166.67 t, jpn 50 + (50 - 16.67) = 83.33 t; fraction 50/250 = 1/5: usa
 * 33.33 t, jpn 16.67 t; usa consumes 33.33 + 33.33 = 66.67 t (fill 2/3).
 * A ban on half of a's flow to jpn (affected 0.5): month 0, jpn's request
 * passes 25 t; P = 100 + 25 = 125 t, fraction 50/125 = 0.4: usa 40 t, jpn
 * 0.4 x 25 = 10 t. */
static const char *RATION =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 2}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  a: {country: CN, capacity_t_per_year: {ndfeb: 1200}, export_share: {ndfeb: 0.5}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {a: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    switching: {diversion: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n"
    "  jpn:\n"
    "    sourcing: {ndfeb: {a: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    switching: {diversion: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 600}, cover_months: 1, restore_months: 1}\n"
    "%s";

static void test_capacity_rationing(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(RATION, "");
    tu_path r = tu_path_run(s, 0);
    const double ask_usa[2] = {100.0, 500.0 / 3.0}, ask_jpn[2] = {50.0, 250.0 / 3.0}, frac[2] = {1.0 / 3.0, 0.2};
    for (int t = 0; t < 2; t++) {
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), ask_usa[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 1, 0), ask_jpn[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ask_usa[t] * frac[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 1, 0), ask_jpn[t] * frac[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), 100.0 / 3.0, 1e-9);
    }
    assert_float_equal(TU_CP(r.tr, inventory, 0, 0, 0), 100.0 / 3.0, 1e-9);
    assert_float_equal(TU_CP(r.tr, consumption, 1, 0, 0), 200.0 / 3.0, 1e-9);
    assert_float_equal(TU_IP(r.tr, fill_rate, 1, 0, 0), 2.0 / 3.0, 1e-12);
    tu_path_free(&r);
    ms_scenario_free(s);

    s = tu_load_fmt(RATION, "policies:\n"
                            "  - {name: ban, type: export_control, exporter: a, destinations: jpn, mode: ban,\n"
                            "     affected: 0.5, start: 2025-01}\n");
    r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, 0, 0, 0), 40.0, 1e-9);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, 0, 1, 0), 10.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Diversion.  usa needs 100 t/month, shares a 0.4, b 0.2, c 0.2, d 0.2;
 * month 0 requests 40, 20, 20, 20 t.  a (100 t/month) is out from month 0
 * (cut 1): 40 t unmet.  d (100 t/month) is under a ban on half of its flow
 * to usa: it ships 10 t, 10 t unmet, and has 90 t of spare capacity, but it
 * failed usa.  b makes %s t/yr, c %s t/yr; diversion delta %s; %s: more
 * policies. */
static const char *DIVERT =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 2}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  a: {country: CN, capacity_t_per_year: {ndfeb: 1200},\n"
    "      outages: {hazard_per_month: 1, duration_months: 12, cut: 1}}\n"
    "  b: {country: JP, capacity_t_per_year: {ndfeb: %s}}\n"
    "  c: {country: AU, capacity_t_per_year: {ndfeb: %s}}\n"
    "  d: {country: VN, capacity_t_per_year: {ndfeb: 1200}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {a: 0.4, b: 0.2, c: 0.2, d: 0.2}}\n"
    "    transit_months: {default: 0}\n"
    "    switching: {cost_sensitivity: 0, diversion: %s}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n"
    "policies:\n"
    "  - {name: half, type: export_control, exporter: d, mode: ban, affected: 0.5, start: 2025-01}\n"
    "%s";

/* Shipments of month 0 from a, b, c, d to usa, and (rho not NULL) the
 * suppliers' prices, USD/kg. */
static void check_month0(const char *bcap, const char *ccap, const char *delta, const char *pol,
                         const double want[4], const double *rho)
{
    ms_scenario *s = tu_load_fmt(DIVERT, bcap, ccap, delta, pol);
    tu_path r = tu_path_run(s, 0);
    for (int k = 0; k < 4; k++) {
        assert_float_equal(TU_SIP(r.tr, requests, 0, k, 0, 0), k == 0 ? 40.0 : 20.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 0, k, 0, 0), want[k], 1e-9);
        if (rho)
            assert_float_equal(r.tr->supplier_price[k], rho[k], 1e-9); /* month 0, [S][P], P = 1 */
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Pro rata to spare capacity, only to suppliers that did not fail usa.
 * b makes 600 t/yr (50 t/month: 30 t spare), c 960 t/yr (80: 60 spare);
 * delta 0.5: usa re-requests 0.5 x (40 + 10) = 25 t from b and c (not d,
 * which failed it, spare as it is), in proportion 30 : 60: b 8.333 t, c
 * 16.667 t.  Shipments: a 0, b 28.333, c 36.667, d 10. */
static void test_diversion_pro_rata_spare(void **st)
{
    (void)st;
    const double want[4] = {0.0, 20.0 + 25.0 / 3.0, 20.0 + 50.0 / 3.0, 10.0};
    check_month0("600", "960", "0.5", "", want, NULL);
}

/* Diverted requests pass the new supplier's controls.  As above, with a
 * quota of 30 t/month on c's flows (affected 1): the first 20 t pass (20 <=
 * 30), leaving 10 t of quota; of the 16.667 t diverted to c only 10 t pass
 * (the rest is lost): c ships 30 t.  b as above. */
static void test_diversion_through_controls(void **st)
{
    (void)st;
    const double want[4] = {0.0, 20.0 + 25.0 / 3.0, 30.0, 10.0};
    check_month0("600", "960", "0.5",
                 "  - {name: q, type: export_control, exporter: c, mode: quota, quota_t_per_month: 30,\n"
                 "     start: 2025-01}\n",
                 want, NULL);
}

/* Diversion is capped at the spare capacity.  b makes 300 t/yr (25 t/month:
 * 5 t spare), c 480 t/yr (40: 20 spare), delta 1: usa re-requests 50 t,
 * 50 x 5/25 = 10 t from b and 50 x 20/25 = 40 t from c; each serves only
 * its spare (fraction 1/2): b ships 20 + 5 = 25 t, c 20 + 20 = 40 t, their
 * whole exportable capacity.
 * Scarcity prices (step 10, eta 1, cap 3, base 50 USD/kg) count the passed
 * first and diverted requests: b (20 + 10) / 25 = 1.2: 60; c (20 + 40) / 40
 * = 1.5: 75; a asked 40 t with E = 0: the cap, 150; d passed 10 t of its
 * 100: 50. */
static void test_diversion_capped_at_spare(void **st)
{
    (void)st;
    const double want[4] = {0.0, 25.0, 40.0, 10.0}, rho[4] = {150.0, 60.0, 75.0, 50.0};
    check_month0("300", "480", "1", "", want, rho);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_service_is_a_target),
        cmocka_unit_test(test_capacity_rationing),
        cmocka_unit_test(test_diversion_pro_rata_spare),
        cmocka_unit_test(test_diversion_through_controls),
        cmocka_unit_test(test_diversion_capped_at_spare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
