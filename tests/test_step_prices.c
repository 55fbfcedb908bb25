/*
 * test_step_prices.c - step 10, prices (docs/model.md, "10. Prices"):
 * supplier scarcity pricing and its cap, the landed cost index with
 * tariffs (the policies' month: a schedule of steps, tariffs on one flow
 * summing), the scarcity premium, the destination premium of the market
 * fill, and the smoothed price index seen through the demand elasticity and
 * the substitution trigger; against numbers
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

/* The destination premium (docs/model.md, step 10): with
 * destination_elasticity eps_dest, the market fill fm = min(1, volume
 * granted at origin to the importer this month, first and diverted passes /
 * its import need N) (1 when N = 0) prices min(premium_cap, fm^(1/eps_dest))
 * (premium_cap when fm = 0), and pi = cost index x max(consumption premium,
 * destination premium).  Supplier a (ample, 50 USD/kg) is usa's only
 * source; b (ample, 60 USD/kg, no sourcing share) is there for diversion.
 * usa: 100 t/month, three months of cover, eps_short -0.5, premium cap 5.
 * A licence on a from 2025-02 (month 1), approval 0.5, no delay: a's budget
 * is 0.5 x 100 = 50 t/month.  %s: months, diversion, destination
 * elasticity line, more policies. */
static const char *DEST =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: %s}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "  b: {country: JP, capacity_t_per_year: {ndfeb: 1000000}, price_usd_per_kg: {ndfeb: 60}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {a: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    switching: {cost_sensitivity: 0, diversion: %s}\n"
    "    demand_elasticity: 0\n"
    "    shortage_elasticity: -0.5\n"
    "    premium_cap: 5\n"
    "%s"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 3, restore_months: 1}\n"
    "policies:\n"
    "  - {name: lic, type: export_control, exporter: a, mode: license, start: 2025-02,\n"
    "     license: {approval: 0.5}}\n"
    "%s";

/* A licence cap that halves what is granted while stocks still cover
 * demand; no diversion, eps_dest -0.5.
 * Month 0: steady, N = 100 granted in full: fm = 1, pi = 1.
 * Month 1: stock 300 at target, N = 100, granted 50: fm = 0.5, destination
 * premium 0.5^(1/-0.5) = 4; the stock covers demand (300 + 50 - 100 = 250):
 * fill 1, consumption premium 1; cost index 1 (a's price is flat: 50 t
 * passed its controls, far below its capacity): pi = 4.
 * Month 2: N = 100 + (300 - 250) = 150, granted 50: fm = 1/3, (1/3)^-2 = 9,
 * capped at 5; stock 200, fill 1: pi = 5.  Month 3: N = 200, fm = 0.25,
 * 16 -> 5; stock 150: pi = 5.
 * a's price stays 50 every month.  Without destination_elasticity the same
 * path prices nothing (pi = 1): the consumption premium moves only once
 * stocks run out. */
static void test_destination_premium_licence_cap(void **st)
{
    (void)st;
    const double N[4] = {100, 100, 150, 200}, I[4] = {300, 250, 200, 150}, pi[4] = {1, 4, 5, 5};
    for (int on = 0; on < 2; on++) {
        ms_scenario *s = tu_load_fmt(DEST, "4", "0", on ? "    destination_elasticity: -0.5\n" : "", "");
        tu_path r = tu_path_run(s, 0);
        for (int t = 0; t < 4; t++) {
            assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), N[t], 1e-9);
            assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), t ? 50.0 : 100.0, 1e-9);
            assert_float_equal(TU_CP(r.tr, inventory, t, 0, 0), I[t], 1e-9);
            assert_float_equal(TU_IP(r.tr, fill_rate, t, 0, 0), 1.0, 1e-12);
            assert_float_equal(RHO(r.tr, t, 0), 50.0, 1e-12);
            assert_float_equal(TU_IP(r.tr, price_index, t, 0, 0), on ? pi[t] : 1.0, 1e-12);
        }
        assert_float_equal(TU_IP(r.tr, price_index, 1, 0, 0), on ? pow(0.5, 1.0 / -0.5) : 1.0, 1e-12);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* fm counts diverted volume.  Diversion 0.5, eps_dest -0.5.
 * Month 1: N = 100, a grants 50; of the 50 unmet, 0.5 x 50 = 25 t is
 * re-requested from b (spare capacity, not failing) and granted: fm = 75 /
 * 100 = 0.75, premium 0.75^-2 = 16/9.  Cost index over what was granted:
 * (50 x 50 + 25 x 60) / 75 / 50 = 16/15.  pi = 16/15 x 16/9 = 256/135.
 * Stock 300 + 75 - 100 = 275, fill 1.
 * Month 2: N = 100 + (300 - 275) = 125 (a keeps its whole share: no cost
 * sensitivity, b has no baseline share), a grants 50, b 0.5 x 75 = 37.5:
 * fm = 87.5 / 125 = 0.7, premium 0.7^-2 = 2.0408; cost index (2500 + 37.5 x
 * 60) / 87.5 / 50 = 38/35; pi = 38/35 / 0.49.  (Counting only a's grant,
 * fm would be 0.5 and 0.4.)  Prices of a and b unchanged (50, 60). */
static void test_destination_premium_diverted(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(DEST, "3", "0.5", "    destination_elasticity: -0.5\n", "");
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, shipments, 1, 1, 0, 0), 25.0, 1e-9);
    assert_float_equal(TU_SIP(r.tr, shipments, 2, 1, 0, 0), 37.5, 1e-9);
    assert_float_equal(TU_SIP(r.tr, requests, 2, 0, 0, 0), 125.0, 1e-9);
    assert_float_equal(TU_IP(r.tr, fill_rate, 2, 0, 0), 1.0, 1e-12);
    assert_float_equal(TU_IP(r.tr, price_index, 0, 0, 0), 1.0, 1e-12);
    assert_float_equal(TU_IP(r.tr, price_index, 1, 0, 0), 256.0 / 135.0, 1e-12);
    assert_float_equal(TU_IP(r.tr, price_index, 2, 0, 0), 38.0 / 35.0 / 0.49, 1e-12);
    for (int t = 0; t < 3; t++) {
        assert_float_equal(RHO(r.tr, t, 0), 50.0, 1e-12);
        assert_float_equal(RHO(r.tr, t, 1), 60.0, 1e-12);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* N = 0: fm = 1, nothing to price.  eps_dest -0.5, no diversion; on top of
 * the licence a ban on a from 2025-02 and demand halved from 2025-02.
 * Months 1..3: D = 50, stock 300, 250, 200 above the target 150: N = max(0,
 * 50 + (150 - 300)) = 0, then max(0, 50 - 100) = 0, then 50 - 50 = 0:
 * nothing asked, nothing granted, fm = 1: pi = 1 (cost index over the
 * shares: 1).  Month 4: stock 150, N = 50, all of it banned: fm = 0, the
 * premium is the cap, 5, while the stock still covers demand (fill 1). */
static void test_destination_premium_no_need(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(DEST, "5", "0", "    destination_elasticity: -0.5\n",
                                 "  - {name: ban, type: export_control, exporter: a, mode: ban, start: 2025-02}\n"
                                 "  - {name: half, type: demand_shock, start: 2025-02, multiplier: 0.5}\n");
    tu_path r = tu_path_run(s, 0);
    const double N[5] = {100, 0, 0, 0, 50}, I[5] = {300, 250, 200, 150, 100}, pi[5] = {1, 1, 1, 1, 5};
    for (int t = 0; t < 5; t++) {
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), N[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, inventory, t, 0, 0), I[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, fill_rate, t, 0, 0), 1.0, 1e-12);
        assert_float_equal(TU_IP(r.tr, price_index, t, 0, 0), pi[t], 1e-12);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* pi takes the larger premium.  test_scarcity_premium's scenario with cut
 * 0.36 (fill f = 0.64 every month, no stock, consumption premium 0.64^-2 =
 * 2.44140625, cap 3) and a destination elasticity: the importer asks 100 t
 * and a can grant 64 (capacity), so fm = 0.64 too.  eps_dest -1: 0.64^-1 =
 * 1.5625 < 2.4414: pi = 2.44140625.  eps_dest -0.2: 0.64^-5 = 9.31, capped
 * at 3: pi = 3. */
static void test_destination_premium_larger_of_two(void **st)
{
    (void)st;
    const char *eps[2] = {"-1", "-0.2"};
    const double pi[2] = {2.44140625, 3.0};
    for (int k = 0; k < 2; k++) {
        char yaml[4096];
        snprintf(yaml, sizeof yaml, PREMIUM, "0.36");
        ms_scenario *s = tu_load_fmt("%s    destination_elasticity: %s\n", yaml, eps[k]);
        tu_path r = tu_path_run(s, 0);
        for (int t = 0; t < 4; t++) {
            assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 64.0, 1e-9);
            assert_float_equal(TU_IP(r.tr, fill_rate, t, 0, 0), 0.64, 1e-12);
            assert_float_equal(TU_IP(r.tr, price_index, t, 0, 0), pi[k], 1e-12);
        }
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_index_nothing_granted),
        cmocka_unit_test(test_scarcity_pricing),
        cmocka_unit_test(test_scarcity_premium),
        cmocka_unit_test(test_price_smoothing),
        cmocka_unit_test(test_tariff_schedule_and_sum),
        cmocka_unit_test(test_destination_premium_licence_cap),
        cmocka_unit_test(test_destination_premium_diverted),
        cmocka_unit_test(test_destination_premium_no_need),
        cmocka_unit_test(test_destination_premium_larger_of_two),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
