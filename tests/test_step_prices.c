/*
 * test_step_prices.c - step 10, prices (docs/model.md, "10. Prices"):
 * supplier scarcity pricing and its cap, the landed cost index with
 * tariffs (the policies' month: a schedule of steps, tariffs on one flow
 * summing), the scarcity premium, and the smoothed price index seen through
 * the demand elasticity and the substitution trigger; against numbers
 * worked out by hand through the real engine, one path traced month by
 * month.
 *
 * Unless a test says otherwise: transit 0, restore time 1 month, no cost
 * sensitivity, no diversion, demand elasticity 0.
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

/* Price of supplier s, product 0, in month t (USD/kg). */
#define RHO(tr, t, s) ((tr)->supplier_price[((size_t)(t) * (tr)->S + (s)) * (tr)->P])

/* Scarcity pricing, rho = rho0 x min(cap, max(1, requested / E)^eta).
 * Supplier a: 1200 t/yr, export share 0.5 (E = 50 t/month), 40 USD/kg,
 * eta 0.5, cap 2.  usa (100 t/month) and jpn (50 t/month) buy only from a,
 * one month of cover each; c (ample, 60 USD/kg, eta 0.5) sells 10 t/month
 * to kor.
 * Month 0: a is asked 100 + 50 = 150 t: 150 / 50 = 3, 3^0.5 = 1.7320508 <
 * 2: rho_a = 40 sqrt(3).  Each importer gets 1/3 (usa 33.33 t, jpn 16.67 t)
 * and its stock covers the month: usa's stock 100 + 33.33 - 100 = 33.33 t,
 * jpn's 16.67 t.
 * Month 1: usa orders 100 + (100 - 33.33) = 166.67 t, jpn 50 + (50 -
 * 16.67) = 83.33 t: 250 / 50 = 5, 5^0.5 = 2.236 > 2: rho_a = 2 x 40 = 80.
 * c is asked 10 t of its 10^6 / 12: max(1, tiny) = 1, rho_c = 60.
 * usa's cost index is a's price over its baseline: sqrt(3) in month 0 (fill
 * rate 1: no premium), 2 in month 1. */
static void test_scarcity_pricing(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 2}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1200}, export_share: {ndfeb: 0.5},\n"
        "      price_usd_per_kg: {ndfeb: 40}, price_flex: 0.5, price_cap: 2}\n"
        "  c: {country: JP, capacity_t_per_year: {ndfeb: 1000000}, price_usd_per_kg: {ndfeb: 60},\n"
        "      price_flex: 0.5}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {cost_sensitivity: 0, diversion: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n"
        "  jpn:\n"
        "    sourcing: {ndfeb: {a: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {cost_sensitivity: 0, diversion: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 600}, cover_months: 1, restore_months: 1}\n"
        "  kor:\n"
        "    sourcing: {ndfeb: {c: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 120}, cover_months: 1, restore_months: 1}\n");
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, requests, 0, 0, 0, 0) + TU_SIP(r.tr, requests, 0, 0, 1, 0), 150.0, 1e-9);
    assert_float_equal(RHO(r.tr, 0, 0), 40.0 * sqrt(3.0), 1e-9);
    assert_float_equal(TU_SIP(r.tr, requests, 1, 0, 0, 0), 500.0 / 3.0, 1e-9);
    assert_float_equal(TU_SIP(r.tr, requests, 1, 0, 1, 0), 250.0 / 3.0, 1e-9);
    assert_float_equal(RHO(r.tr, 1, 0), 80.0, 1e-9);
    for (int t = 0; t < 2; t++)
        assert_float_equal(RHO(r.tr, t, 1), 60.0, 1e-9);
    assert_float_equal(TU_IP(r.tr, fill_rate, 0, 0, 0), 1.0, 1e-12);
    assert_float_equal(TU_IP(r.tr, price_index, 0, 0, 0), sqrt(3.0), 1e-12);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* The scarcity premium, min(premium_cap, f^(1/eps_short)) for f < 1
 * (premium_cap when f = 0).  Supplier a makes 100 t/month, out from month 0
 * for the whole horizon with cut %s; price_flex 0, so its price stays at
 * its base and the cost index at 1.  usa needs 100 t/month with no stock
 * (cover 0, so it orders its demand, 100 t, every month), eps_short -0.5,
 * premium cap 3.  It receives 100 (1 - cut) and consumes it all: fill f =
 * 1 - cut every month, price index = premium:
 * - cut 0.36: f = 0.64, 0.64^-2 = 2.44140625, below the cap;
 * - cut 0.5: f = 0.5, 0.5^-2 = 4, capped at 3;
 * - cut 1: f = 0: the cap, 3. */
static const char *PREMIUM =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 4}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  a: {country: CN, capacity_t_per_year: {ndfeb: 1200}, price_flex: 0,\n"
    "      outages: {hazard_per_month: 1, duration_months: 12, cut: %s}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {a: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    switching: {cost_sensitivity: 0, diversion: 0}\n"
    "    demand_elasticity: 0\n"
    "    shortage_elasticity: -0.5\n"
    "    premium_cap: 3\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n";

static void test_scarcity_premium(void **st)
{
    (void)st;
    const char *cuts[3] = {"0.36", "0.5", "1"};
    const double fill[3] = {0.64, 0.5, 0.0}, prem[3] = {2.44140625, 3.0, 3.0};
    for (int k = 0; k < 3; k++) {
        ms_scenario *s = tu_load_fmt(PREMIUM, cuts[k]);
        tu_path r = tu_path_run(s, 0);
        for (int t = 0; t < 4; t++) {
            assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), 100.0, 1e-9);
            assert_float_equal(RHO(r.tr, t, 0), 50.0, 1e-12);
            assert_float_equal(TU_IP(r.tr, fill_rate, t, 0, 0), fill[k], 1e-12);
            assert_float_equal(TU_IP(r.tr, price_index, t, 0, 0), prem[k], 1e-12);
        }
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* Smoothing, pibar += (pi - pibar) / price_smoothing_months, seen through
 * the demand elasticity and the substitution trigger (pibar is not traced).
 * One supplier (ample), usa 100 t/month, one month of cover, elasticity
 * -0.5, smoothing 2 months; a 25% tariff on a from 2025-03 (month 2) makes
 * the landed cost, and the price index, 1.25 from month 2 (fill rate 1).
 * pibar: 1 in months 0, 1; then 1 + 0.25/2 = 1.125, 1.1875, 1.21875,
 * 1.234375, ...: pibar(t) = 1.25 - 0.25 x 2^-(t-1).
 * Substitution: trigger 1.2, max 0.4, tau 2 months.  pibar first exceeds
 * 1.2 at the end of month 4: sub(4) = 0.4 (1 - e^-1/2), and on, sub(t) =
 * 0.4 (1 - e^-(t-3)/2).
 * Demand D(t) = 100 pibar(t-1)^-0.5 (1 - sub(t-1)): 100 in months 0..2,
 * 100 x 1.125^-0.5 = 94.28 in month 3, 100 x 1.1875^-0.5 in month 4,
 * 100 x 1.21875^-0.5 x (1 - sub(4)) in month 5, ... */
static void test_price_smoothing(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 8}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {cost_sensitivity: 0, diversion: 0}\n"
        "    demand_elasticity: -0.5\n"
        "    price_smoothing_months: 2\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1,\n"
        "           substitution: {max: 0.4, tau_months: 2, trigger: 1.2}}\n"
        "policies:\n"
        "  - {name: t, type: tariff, importer: usa, origin: a, schedule: [{from: 2025-03, rate: 0.25}]}\n");
    tu_path r = tu_path_run(s, 0);
    double pibar = 1.0, sub = 0.0, D = 100.0;
    for (int t = 0; t < 8; t++) {
        double pi = t < 2 ? 1.0 : 1.25;
        assert_float_equal(TU_CP(r.tr, demand, t, 0, 0), D, 1e-9);
        assert_float_equal(TU_IP(r.tr, fill_rate, t, 0, 0), 1.0, 1e-12);
        assert_float_equal(TU_IP(r.tr, price_index, t, 0, 0), pi, 1e-12);
        pibar = t < 1 ? 1.0 : 1.25 - 0.25 * pow(2.0, -(t - 1));
        sub = t < 4 ? 0.0 : 0.4 * (1.0 - exp(-(t - 3) / 2.0));
        assert_float_equal(r.tr->substitution[t], sub, 1e-12);
        D = 100.0 * pow(pibar, -0.5) * (1.0 - sub); /* next month's demand */
    }
    assert_float_equal(TU_CP(r.tr, demand, 3, 0, 0), 100.0 / sqrt(1.125), 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Tariffs: on each flow, the sum over the tariffs covering it of the rate
 * of the latest step with from <= t.  Suppliers a and b at 50 USD/kg
 * (ample), usa buys half from each (no cost sensitivity: the shares stay),
 * 100 t/month.  Tariff t1 on a, steps written out of order: 0.2 from
 * 2024-06 (before the horizon: in force in month 0), 0.5 from 2025-03
 * (month 2), 0.05 from 2025-07 (month 6).  Tariff t2 on a: 0.1 from
 * 2025-05-16 (4.5: from month 5).  Tariff t3 on b, for jpn only: no effect
 * on usa.  Rate on a -> usa: 0.2 (months 0, 1), 0.5 (2..4), 0.6 (5), 0.15
 * (6, 7).
 * Baseline landed costs (month-0 tariffs): c0_a = 50 x 1.2 = 60, c0_b = 50,
 * baseline cost cb = 0.5 x 60 + 0.5 x 50 = 55.  Both ship 50 t, so the cost
 * index is (50 (1 + r) + 50) / 2 / 55 = (2 + r) / 2.2: 1, 2.5/2.2 =
 * 1.13636, 2.6/2.2 = 1.18182, 2.15/2.2 = 0.97727 (below baseline once the
 * tariff falls below the one in force in month 0).  Fill rate 1: price
 * index = cost index. */
static void test_tariff_schedule_and_sum(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 8}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "  b: {country: JP, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 0.5, b: 0.5}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {cost_sensitivity: 0, diversion: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n"
        "  jpn:\n"
        "    sourcing: {ndfeb: {b: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 120}, cover_months: 1, restore_months: 1}\n"
        "policies:\n"
        "  - {name: t1, type: tariff, importer: usa, origin: a,\n"
        "     schedule: [{from: 2025-07, rate: 0.05}, {from: 2024-06, rate: 0.2}, {from: 2025-03, rate: 0.5}]}\n"
        "  - {name: t2, type: tariff, importer: usa, origin: a, schedule: [{from: 2025-05-16, rate: 0.1}]}\n"
        "  - {name: t3, type: tariff, importer: jpn, origin: b, schedule: [{from: 2025-02, rate: 0.3}]}\n");
    tu_path r = tu_path_run(s, 0);
    const double rate[8] = {0.2, 0.2, 0.5, 0.5, 0.5, 0.6, 0.15, 0.15};
    for (int t = 0; t < 8; t++) {
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 50.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 1, 0, 0), 50.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, price_index, t, 0, 0), (2.0 + rate[t]) / 2.2, 1e-12);
        /* jpn: 1 before its tariff (month 1 on), 1.3 after */
        assert_float_equal(TU_IP(r.tr, price_index, t, 1, 0), t < 1 ? 1.0 : 1.3, 1e-12);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* The cost index when nothing is granted: weighted by the shares.  usa's
 * baseline shares are a 0.5 (50 USD/kg) and mp 0.5 (100 USD/kg), but mp has
 * no capacity yet, so the month-0 shares are (1, 0) and the baseline cost
 * 50 USD/kg.  A ban on a from 2025-02 (month 1): nothing is granted; the
 * stock (2 months) covers month 1, fill rate 1, no premium.  The index is
 * the shares' landed cost over the baseline: 1 x 50 / 50 = 1 (weighting mp
 * by its baseline share, as if it were bought, gave (50 + 0.5 x 100) / 1.5
 * / 50 = 1.333). */
static void test_cost_index_nothing_granted(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text("test.yaml",
                                  "magsim: 1\n"
                                  "horizon: {start: 2025-01, months: 3}\n"
                                  "products: {ndfeb: {price_usd_per_kg: 50}}\n"
                                  "suppliers:\n"
                                  "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
                                  "  mp: {country: US, capacity_t_per_year: {ndfeb: 0}, price_usd_per_kg: {ndfeb: 100}}\n"
                                  "importers:\n"
                                  "  usa:\n"
                                  "    sourcing: {ndfeb: {a: 0.5, mp: 0.5}}\n"
                                  "    transit_months: {default: 0}\n"
                                  "    switching: {cost_sensitivity: 0, diversion: 0}\n"
                                  "    demand_elasticity: 0\n"
                                  "    industries:\n"
                                  "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 2}\n"
                                  "policies:\n"
                                  "  - {name: ban, type: export_control, exporter: a, mode: ban, start: 2025-02}\n");
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, shipments, 1, 0, 0, 0), 0.0, 0);
    assert_float_equal(TU_IP(r.tr, fill_rate, 1, 0, 0), 1.0, 1e-12);
    assert_float_equal(r.tr->price_index[1], 1.0, 1e-12);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_index_nothing_granted),
        cmocka_unit_test(test_scarcity_pricing),
        cmocka_unit_test(test_scarcity_premium),
        cmocka_unit_test(test_price_smoothing),
        cmocka_unit_test(test_tariff_schedule_and_sum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
