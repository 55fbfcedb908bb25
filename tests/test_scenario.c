/*
 * test_scenario.c - the scenario loader against fixture files (cmocka).
 *
 *   tests/fixtures/bad/     one error each: the table below gives the exact
 *                           diag kind, line and column expected; multi.yaml
 *                           holds several errors that must all be reported.
 *   tests/fixtures/good/    loaded and checked field by field.
 *   tests/fixtures/extends/ inheritance: merge rules, errors located in the base.
 * Buffers: empty input, binary junk, invalid UTF-8, deep nesting, aliases.
 * docs/scenario.md must mention every key path the loader accepts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "magsim/scenario.h"
#include "../sim/policy/export_control.h"
#include "../sim/policy/tariff.h"
#include "../sim/policy/recycling.h"
#include "../sim/policy/stockpile.h"
#include "../sim/policy/demand_shock.h"

static char *fixture(const char *rel)
{
    const char *root = getenv("MAGSIM_SRCDIR");
    if (!root)
        root = ".";
    size_t n = strlen(root) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", root, rel);
    return p;
}

static ms_scenario *load(const char *rel, ms_diags *d)
{
    char *p = fixture(rel);
    ms_scenario *s = ms_scenario_load(p, d);
    free(p);
    return s;
}

static void dump(const ms_diags *d)
{
    for (int i = 0; i < d->n; i++)
        fprintf(stderr, "    got %s %d:%d %s\n", ms_diag_kind_name(d->v[i].kind), d->v[i].line, d->v[i].column,
                d->v[i].message);
}

/* ---- bad fixtures: exact kind and location --------------------------------- */

typedef struct bad_case {
    const char *file;
    ms_diag_kind kind;
    int line, col;
} bad_case;

static const bad_case bad_cases[] = {
    {"alias_bomb.yaml", MS_D_LIMIT, 2, 4},
    {"binary.yaml", MS_D_UTF8, 1, 10},
    {"capacity_negative.yaml", MS_D_RANGE, 6, 53},
    {"date_feb30.yaml", MS_D_DATE, 13, 33},
    {"date_lognormal.yaml", MS_D_DIST, 13, 40},
    {"date_month13.yaml", MS_D_DATE, 13, 33},
    {"date_soon.yaml", MS_D_DATE, 13, 33},
    {"deep.yaml", MS_D_LIMIT, 2, 38},
    {"demand_negative.yaml", MS_D_RANGE, 11, 39},
    {"dist_bad_param.yaml", MS_D_UNKNOWN_KEY, 6, 77},
    {"dist_bernoulli_p.yaml", MS_D_DIST, 6, 74},
    {"dist_beta_a.yaml", MS_D_DIST, 6, 69},
    {"dist_lognormal_median.yaml", MS_D_DIST, 6, 79},
    {"dist_minmax.yaml", MS_D_DIST, 6, 83},
    {"dist_mode.yaml", MS_D_DIST, 6, 86},
    {"dist_no_dist.yaml", MS_D_MISSING, 6, 53},
    {"dist_per.yaml", MS_D_VALUE, 6, 90},
    {"dist_sd.yaml", MS_D_DIST, 6, 82},
    {"dist_unknown.yaml", MS_D_DIST, 6, 60},
    {"dist_weights_length.yaml", MS_D_DIST, 6, 95},
    {"dist_weights_negative.yaml", MS_D_DIST, 6, 99},
    {"dist_weights_zero.yaml", MS_D_DIST, 6, 95},
    {"dup_key.yaml", MS_D_DUP_KEY, 2, 39},
    {"dup_top.yaml", MS_D_DUP_KEY, 12, 1},
    {"empty.yaml", MS_D_EMPTY, 1, 1},
    {"empty_doc.yaml", MS_D_EMPTY, 3, 1},
    {"end_before_start.yaml", MS_D_RANGE, 13, 47},
    {"extends_cycle.yaml", MS_D_REF, 2, 10},
    {"extends_missing.yaml", MS_D_IO, 2, 10},
    {"extends_device.yaml", MS_D_IO, 3, 10},
    {"number_huge.yaml", MS_D_RANGE, 6, 53},
    {"dist_lognormal_sigma.yaml", MS_D_DIST, 14, 56},
    {"growth_range.yaml", MS_D_RANGE, 11, 53},
    {"horizon_day.yaml", MS_D_DATE, 2, 18},
    {"int_bad.yaml", MS_D_NUMBER, 2, 35},
    {"license_no_approval.yaml", MS_D_MISSING, 14, 15},
    {"missing_country.yaml", MS_D_MISSING, 6, 10},
    {"missing_horizon.yaml", MS_D_MISSING, 1, 1},
    {"mode_bad.yaml", MS_D_VALUE, 13, 51},
    {"affected_industry_unknown.yaml", MS_D_REF, 13, 83},
    {"end_user_unknown.yaml", MS_D_REF, 13, 84},
    {"group_not_destination.yaml", MS_D_REF, 17, 63},
    {"group_twice.yaml", MS_D_VALUE, 14, 101},
    {"mode_license_under_ban.yaml", MS_D_UNKNOWN_KEY, 14, 6},
    {"mode_quota_with_license.yaml", MS_D_UNKNOWN_KEY, 14, 29},
    {"months_big.yaml", MS_D_RANGE, 2, 35},
    {"months_zero.yaml", MS_D_RANGE, 2, 35},
    {"no_sourcing_for_demand.yaml", MS_D_MISSING, 12, 50},
    {"not_map.yaml", MS_D_TYPE, 1, 1},
    {"number_bad.yaml", MS_D_NUMBER, 6, 53},
    {"number_inf.yaml", MS_D_NUMBER, 4, 29},
    {"number_nan.yaml", MS_D_NUMBER, 6, 53},
    {"number_overflow.yaml", MS_D_NUMBER, 6, 53},
    {"policy_dup_name.yaml", MS_D_DUP_KEY, 14, 12},
    {"policy_type.yaml", MS_D_VALUE, 13, 12},
    {"priority_zero.yaml", MS_D_RANGE, 11, 55},
    {"quantiles_order.yaml", MS_D_RANGE, 12, 28},
    {"quantiles_range.yaml", MS_D_RANGE, 12, 29},
    {"quota_missing.yaml", MS_D_MISSING, 13, 5},
    {"ref_beneficiary.yaml", MS_D_REF, 14, 22},
    {"ref_policy_importer.yaml", MS_D_REF, 13, 33},
    {"ref_policy_supplier.yaml", MS_D_REF, 13, 38},
    {"ref_product.yaml", MS_D_REF, 6, 59},
    {"ref_supplier_sourcing.yaml", MS_D_REF, 9, 24},
    {"ref_transit.yaml", MS_D_REF, 10, 34},
    {"reserved_name.yaml", MS_D_VALUE, 7, 3},
    {"restore_zero.yaml", MS_D_RANGE, 11, 61},
    {"share_dist_range.yaml", MS_D_RANGE, 7, 33},
    {"share_normal_unbounded.yaml", MS_D_RANGE, 7, 33},
    {"share_range.yaml", MS_D_RANGE, 6, 82},
    {"stockpile_allocation_sum.yaml", MS_D_SUM, 18, 18},
    {"stockpile_pool_unknown.yaml", MS_D_REF, 17, 39},
    {"stockpile_two_buyers.yaml", MS_D_VALUE, 20, 6},
    {"sum_shares.yaml", MS_D_SUM, 9, 23},
    {"syntax.yaml", MS_D_SYNTAX, 3, 9},
    {"syntax_indent.yaml", MS_D_SYNTAX, 4, 2},
    {"tariff_empty.yaml", MS_D_MISSING, 13, 30},
    {"tariff_negative.yaml", MS_D_RANGE, 15, 31},
    {"type_list.yaml", MS_D_TYPE, 12, 11},
    {"type_map.yaml", MS_D_TYPE, 2, 10},
    {"unknown_key.yaml", MS_D_UNKNOWN_KEY, 6, 11},
    {"unknown_top.yaml", MS_D_UNKNOWN_KEY, 12, 1},
    {"utf8.yaml", MS_D_UTF8, 2, 12},
    {"version_2.yaml", MS_D_VERSION, 1, 9},
    {"version_missing.yaml", MS_D_VERSION, 1, 1},
};

static void test_bad_fixtures(void **state)
{
    (void)state;
    int n = (int)(sizeof bad_cases / sizeof bad_cases[0]);
    assert_true(n >= 35);
    for (int i = 0; i < n; i++) {
        const bad_case *c = &bad_cases[i];
        char rel[256];
        snprintf(rel, sizeof rel, "tests/fixtures/bad/%s", c->file);
        ms_diags d;
        ms_diags_init(&d);
        ms_scenario *s = load(rel, &d);
        const ms_diag *g = ms_diags_find(&d, c->kind, c->line, c->col);
        if (s || !g) {
            fprintf(stderr, "  %s: expected %s at %d:%d\n", c->file, ms_diag_kind_name(c->kind), c->line, c->col);
            dump(&d);
        }
        assert_null(s);
        assert_non_null(g);
        assert_true(d.nerrors >= 1);
        assert_non_null(strstr(g->file, c->file));
        assert_true(strlen(g->message) > 0);
        ms_diags_clear(&d);
    }
}

static void test_multi_errors(void **state)
{
    (void)state;
    static const bad_case want[] = {
        {"multi.yaml", MS_D_DATE, 2, 18},        {"multi.yaml", MS_D_RANGE, 4, 29},
        {"multi.yaml", MS_D_RANGE, 6, 82},       {"multi.yaml", MS_D_UNKNOWN_KEY, 7, 24},
        {"multi.yaml", MS_D_SUM, 10, 23},        {"multi.yaml", MS_D_RANGE, 12, 55},
        {"multi.yaml", MS_D_REF, 14, 43},
    };
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = load("tests/fixtures/bad/multi.yaml", &d);
    assert_null(s);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!ms_diags_find(&d, want[i].kind, want[i].line, want[i].col))
            dump(&d);
        assert_non_null(ms_diags_find(&d, want[i].kind, want[i].line, want[i].col));
    }
    assert_int_equal(d.nerrors, 7);
    const ms_diag *g = ms_diags_find(&d, MS_D_UNKNOWN_KEY, 7, 24);
    assert_non_null(strstr(g->message, "did you mean 'capacity_t_per_year'"));
    ms_diags_clear(&d);
}

/* ---- printing ----------------------------------------------------------------- */

static void test_diag_print(void **state)
{
    (void)state;
    ms_diags d;
    ms_diags_init(&d);
    const char *src = "magsim: 1\nhorizon: {start: 2025-01, months: 12}\nproducts:\n  ndfeb: {price_usd_per_kg: x}\n";
    ms_scenario *s = ms_scenario_load_buffer("mem.yaml", src, strlen(src), &d);
    assert_null(s);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ms_diags_print(&d, f, 0);
    fclose(f);
    /* sorted: 1:1 missing suppliers/importers before 4:29 number */
    char *a = strstr(buf, "mem.yaml:1:1: error: missing required key 'suppliers'");
    char *b = strstr(buf, "mem.yaml:4:29: error: 'x' is not a number\n"
                          "     4 |   ndfeb: {price_usd_per_kg: x}\n"
                          "       |                             ^\n");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    free(buf);
    assert_string_equal(ms_diag_kind_name(MS_D_SUM), "sum");
    ms_diags_clear(&d);
}

/* ---- good fixture, field by field -------------------------------------------- */

static const ms_industry *industry(const ms_importer *im, const char *name)
{
    for (int k = 0; k < im->nindustries; k++)
        if (!strcmp(im->industries[k].name, name))
            return &im->industries[k];
    return NULL;
}

static void assert_key(const ms_dist *d, const char *key)
{
    assert_non_null(d->key);
    assert_string_equal(d->key, key);
    assert_int_equal(d->stream, ms_hash32(key));
}

static void test_good_full(void **state)
{
    (void)state;
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = load("tests/fixtures/good/full.yaml", &d);
    if (!s)
        dump(&d);
    assert_non_null(s);
    assert_int_equal(d.nerrors, 0);
    /* restore_months: 0.5 is a warning, at its place; so are the two unnamed
     * policies with uncertain inputs (their streams are keyed by position) */
    assert_int_equal(s->nwarnings, 3);
    assert_non_null(ms_diags_find(&d, MS_D_WARNING, 41, 25));
    assert_non_null(ms_diags_find(&d, MS_D_WARNING, 61, 5));
    assert_non_null(ms_diags_find(&d, MS_D_WARNING, 65, 5));

    assert_string_equal(s->name, "Full syntax coverage");
    assert_int_equal(s->start_year, 2025);
    assert_int_equal(s->start_month, 1);
    assert_int_equal(s->months, 36);
    assert_int_equal(s->paths, 5000);
    assert_int_equal(s->seed, 42);
    assert_int_equal(s->nquantiles, 3);
    assert_true(s->quantiles[0] == 0.1 && s->quantiles[1] == 0.5 && s->quantiles[2] == 0.9);
    assert_true(s->shortage_threshold == 0.1);

    /* products */
    assert_int_equal(s->nproducts, 2);
    int nd = ms_scenario_product(s, "ndfeb"), sm = ms_scenario_product(s, "smco");
    assert_int_equal(nd, 0);
    assert_int_equal(sm, 1);
    assert_int_equal(ms_scenario_product(s, "dy"), -1);
    assert_true(s->products[sm].price_usd_per_kg == 80);

    /* suppliers */
    assert_int_equal(s->nsuppliers, 3);
    int cn = ms_scenario_supplier(s, "china"), jp = ms_scenario_supplier(s, "japan"),
        mp = ms_scenario_supplier(s, "mp_materials");
    assert_int_equal(cn, 0);
    assert_int_equal(jp, 1);
    assert_int_equal(mp, 2);
    const ms_supplier *c = &s->suppliers[cn];
    assert_string_equal(c->country, "CN");
    assert_int_equal(c->has_product[nd], 1);
    assert_int_equal(c->has_product[sm], 1);
    assert_int_equal(s->suppliers[jp].has_product[sm], 0);
    assert_int_equal(c->capacity_t_per_year[nd].kind, MS_DIST_FIXED);
    assert_true(c->capacity_t_per_year[nd].p[0] == 300000);
    assert_key(&c->capacity_t_per_year[nd], "suppliers.china.capacity_t_per_year.ndfeb");
    assert_int_equal(c->capacity_t_per_year[nd].line, 11);
    assert_int_equal(c->capacity_t_per_year[nd].column, 34);
    assert_int_equal(c->export_share[nd].kind, MS_DIST_UNIFORM);
    assert_true(c->export_share[nd].p[0] == 0.2 && c->export_share[nd].p[1] == 0.3);
    assert_int_equal(c->export_share[nd].per_month, 0);
    assert_true(c->export_share[sm].p[0] == 0.5);
    assert_true(c->price_flex.p[0] == 1.5);
    assert_true(c->price_cap.p[0] == 4);
    /* defaulted price = product price, with a key */
    assert_true(c->price_usd_per_kg[nd].p[0] == 49);
    assert_key(&c->price_usd_per_kg[nd], "suppliers.china.price_usd_per_kg.ndfeb");
    assert_int_equal(c->price_usd_per_kg[nd].line, 0);
    assert_true(s->suppliers[jp].price_usd_per_kg[nd].p[0] == 70);
    /* defaults */
    assert_true(s->suppliers[jp].export_share[nd].p[0] == 1);
    assert_true(s->suppliers[jp].price_flex.p[0] == 1);
    assert_true(s->suppliers[jp].price_cap.p[0] == 3);
    assert_key(&s->suppliers[jp].price_flex, "suppliers.japan.price_flex");
    assert_true(s->suppliers[jp].capacity_t_per_year[sm].p[0] == 0);
    /* outages */
    assert_int_equal(c->has_outages, 1);
    assert_int_equal(s->suppliers[jp].has_outages, 0);
    assert_true(c->outages.hazard_per_month.p[0] == 0.01);
    assert_int_equal(c->outages.duration_months.kind, MS_DIST_TRIANGULAR);
    assert_true(c->outages.duration_months.p[0] == 1 && c->outages.duration_months.p[1] == 2 &&
                c->outages.duration_months.p[2] == 6);
    assert_true(c->outages.cut.p[0] == 1);
    assert_key(&c->outages.cut, "suppliers.china.outages.cut");
    /* expansions: dates are month offsets from 2025-01 */
    const ms_supplier *m = &s->suppliers[mp];
    assert_int_equal(m->nexpansions, 2);
    assert_int_equal(m->expansions[0].product, nd);
    assert_int_equal(m->expansions[0].start.kind, MS_DIST_UNIFORM);
    assert_true(m->expansions[0].start.p[0] == 9.0);  /* 2025-10 */
    assert_true(m->expansions[0].start.p[1] == 17.0); /* 2026-06 */
    assert_key(&m->expansions[0].start, "suppliers.mp_materials.expansions.0.start");
    assert_true(m->expansions[0].ramp_months.p[0] == 12);
    assert_int_equal(m->expansions[1].t_per_year.kind, MS_DIST_PERT);
    assert_true(m->expansions[1].t_per_year.p[3] == 4.0); /* lambda default */
    assert_true(fabs(m->expansions[1].start.p[0] - (24.0 + 15.0 / 31.0)) < 1e-12); /* 2027-01-16 */
    assert_true(m->expansions[1].ramp_months.p[0] == 12); /* default */
    assert_key(&m->expansions[1].ramp_months, "suppliers.mp_materials.expansions.1.ramp_months");

    /* importers */
    assert_int_equal(s->nimporters, 2);
    int us = ms_scenario_importer(s, "usa"), de = ms_scenario_importer(s, "germany");
    assert_int_equal(us, 0);
    assert_int_equal(de, 1);
    const ms_importer *u = &s->importers[us];
    assert_true(u->sourcing[nd * s->nsuppliers + cn] == 0.85);
    assert_true(u->sourcing[nd * s->nsuppliers + jp] == 0.1);
    assert_true(u->sourcing[nd * s->nsuppliers + mp] == 0.05);
    assert_true(u->sourcing[sm * s->nsuppliers + cn] == 1);
    assert_true(u->sourcing[sm * s->nsuppliers + jp] == 0);
    assert_int_equal(u->has_sourcing[sm], 1);
    assert_int_equal(s->importers[de].has_sourcing[sm], 0);
    assert_int_equal(u->transit_months[cn].kind, MS_DIST_DISCRETE);
    assert_int_equal(u->transit_months[cn].n, 3);
    assert_true(u->transit_months[cn].values[2] == 3);
    assert_true(u->transit_months[cn].cum[0] == 0.25 && u->transit_months[cn].cum[1] == 0.75 &&
                u->transit_months[cn].cum[2] == 1.0);
    assert_key(&u->transit_months[cn], "importers.usa.transit_months.china");
    assert_true(u->transit_months[jp].p[0] == 1);
    assert_key(&u->transit_months[jp], "importers.usa.transit_months.default");
    assert_key(&s->importers[de].transit_months[jp], "importers.germany.transit_months.japan");
    assert_true(u->qualification_months.p[0] == 9);
    assert_true(u->cost_sensitivity.p[0] == 4); /* default inside a given switching map */
    assert_key(&u->cost_sensitivity, "importers.usa.switching.cost_sensitivity");
    assert_true(u->diversion.p[0] == 0.5);
    assert_true(s->importers[de].diversion.p[0] == 0.3); /* switching absent */
    assert_true(u->demand_elasticity.p[0] == -0.2);
    assert_true(u->shortage_elasticity.p[0] == -0.25);
    assert_true(u->price_smoothing_months.p[0] == 3);
    assert_true(u->premium_cap.p[0] == 4);
    assert_int_equal(u->rationing, MS_RATION_PROPORTIONAL);
    assert_int_equal(s->importers[de].rationing, MS_RATION_PRIORITY);
    /* industries, in file order */
    assert_int_equal(u->nindustries, 2);
    assert_string_equal(u->industries[0].name, "ev_traction");
    const ms_industry *ev = industry(u, "ev_traction"), *df = industry(u, "defense");
    assert_true(ev->demand_t_per_year[nd].p[0] == 2200);
    assert_true(ev->demand_t_per_year[sm].p[0] == 0);
    assert_int_equal(ev->growth.kind, MS_DIST_NORMAL);
    assert_int_equal(ev->growth.per_month, 1);
    assert_true(ev->growth.p[0] == 0.08 && ev->growth.p[1] == 0.05);
    assert_true(ev->growth.lo == -0.5 && ev->growth.hi == 0.5);
    assert_key(&ev->growth, "importers.usa.industries.ev_traction.growth");
    assert_true(ev->restore_months.p[0] == 0.5);
    assert_int_equal(ev->hoarding.kind, MS_DIST_BETA);
    assert_true(ev->hoarding.p[0] == 2 && ev->hoarding.p[1] == 6 && ev->hoarding.lo == 0 && ev->hoarding.hi == 2);
    assert_int_equal(ev->priority, 2);
    assert_true(ev->value_usd_per_t.p[0] == 2.0e7);
    assert_true(ev->sub_max.p[0] == 0.3 && ev->sub_tau.p[0] == 24 && ev->sub_trigger.p[0] == 1.5);
    assert_int_equal(df->priority, 1);
    assert_true(df->cover_months.p[0] == 6);
    assert_true(df->restore_months.p[0] == 2);
    assert_true(df->demand_t_per_year[sm].p[0] == 20);
    assert_true(df->sub_max.p[0] == 0);
    assert_key(&df->sub_tau, "importers.usa.industries.defense.substitution.tau_months");
    const ms_industry *wind = industry(&s->importers[de], "wind");
    assert_int_equal(wind->growth.kind, MS_DIST_LOGNORMAL);
    assert_true(wind->growth.p[0] == 0.05 && wind->growth.p[1] == 0.2);

    /* policies, in file order */
    assert_int_equal(s->npolicies, 6);
    const ms_policy *p = &s->policies[0];
    assert_string_equal(ms_policy_type_name(p), "export_control");
    assert_string_equal(p->name, "april_licensing");
    assert_int_equal(p->line, 52);
    assert_int_equal(p->column, 5);
    const ms_export_control *x = ms_export_control_of(p);
    assert_int_equal(x->exporter, cn);
    assert_int_equal(x->products[nd], 1);
    assert_int_equal(x->products[sm], 0);
    assert_int_equal(x->destinations[us], 1);
    assert_int_equal(x->destinations[de], 0);
    assert_true(x->affected.p[0] == 0.6);
    assert_true(x->general_license.p[0] == 0);
    assert_int_equal(x->mode, MS_CTRL_LICENSE);
    assert_true(x->announce.p[0] == 2.0);
    assert_true(x->start.p[0] == 3.0);
    assert_int_equal(x->has_end, 1);
    assert_true(x->end.p[0] == 12.0 && x->end.p[1] == 23.0);
    assert_true(x->lift_hazard.p[0] == 0.02);
    assert_true(x->reimpose_hazard.p[0] == 0);
    assert_int_equal(x->approval.kind, MS_DIST_BETA);
    assert_true(x->approval.lo == 0 && x->approval.hi == 1);
    assert_key(&x->approval, "policies.april_licensing.license.approval");
    assert_int_equal(x->has_approval_end, 1);
    assert_true(x->approval_end.p[0] == 0.8);
    assert_true(x->approval_ramp_months.p[0] == 6);
    assert_true(x->approval_noise.p[0] == 0);
    assert_int_equal(x->delay_months.kind, MS_DIST_TRIANGULAR);
    assert_key(&x->delay_months, "policies.april_licensing.license.delay_months");

    p = &s->policies[1];
    assert_string_equal(ms_policy_type_name(p), "tariff");
    assert_string_equal(p->name, "tariff#0");
    assert_int_equal(ms_tariff_of(p)->importers[us], 1);
    assert_int_equal(ms_tariff_of(p)->importers[de], 0);
    assert_int_equal(ms_tariff_of(p)->origins[cn], 1);
    assert_int_equal(ms_tariff_of(p)->origins[jp], 1);
    assert_int_equal(ms_tariff_of(p)->origins[mp], 0);
    assert_int_equal(ms_tariff_of(p)->products[sm], 1);
    assert_int_equal(ms_tariff_of(p)->nsteps, 2);
    /* sorted by from; keys keep the file index */
    assert_true(ms_tariff_of(p)->schedule[0].from.p[0] == 2.0);
    assert_true(ms_tariff_of(p)->schedule[0].rate.p[0] == 0.221);
    assert_key(&ms_tariff_of(p)->schedule[0].rate, "policies.tariff#0.schedule.1.rate");
    assert_true(ms_tariff_of(p)->schedule[1].from.p[0] == 12.0);
    assert_key(&ms_tariff_of(p)->schedule[1].rate, "policies.tariff#0.schedule.0.rate");

    p = &s->policies[2];
    assert_string_equal(ms_policy_type_name(p), "recycling");
    assert_string_equal(p->name, "recycling#0");
    assert_int_equal(ms_recycling_of(p)->importer, us);
    assert_int_equal(ms_recycling_of(p)->product, nd);
    assert_true(ms_recycling_of(p)->capacity_t_per_year.p[0] == 750);
    assert_int_equal(ms_recycling_of(p)->has_feedstock, 0);
    assert_true(ms_recycling_of(p)->yield.p[0] == 0.9);
    assert_true(ms_recycling_of(p)->start.p[0] == 17.0 && ms_recycling_of(p)->start.p[1] == 29.0);

    p = &s->policies[3];
    assert_string_equal(ms_policy_type_name(p), "stockpile");
    assert_string_equal(p->name, "stockpile#0");
    assert_true(ms_stockpile_of(p)->stock_t.p[0] == 500);
    assert_true(ms_stockpile_of(p)->release_t_per_month.p[0] == 50);
    assert_true(ms_stockpile_of(p)->trigger.p[0] == 0.95);
    assert_int_equal(ms_stockpile_of(p)->beneficiaries[0], 0); /* ev_traction */
    assert_int_equal(ms_stockpile_of(p)->beneficiaries[1], 1); /* defense */
    assert_true(ms_stockpile_of(p)->start.p[0] == 0);
    assert_key(&ms_stockpile_of(p)->start, "policies.stockpile#0.start");

    p = &s->policies[4];
    assert_string_equal(ms_policy_type_name(p), "demand_shock");
    assert_int_equal(ms_demand_shock_of(p)->importers[us], 1);
    assert_int_equal(ms_demand_shock_of(p)->importers[de], 1);
    assert_int_equal(ms_demand_shock_of(p)->nindustry_names, 1);
    assert_string_equal(ms_demand_shock_of(p)->industry_names[0], "wind");
    assert_int_equal(ms_demand_shock_of(p)->start.kind, MS_DIST_NORMAL);
    assert_true(ms_demand_shock_of(p)->start.p[0] == 12.0 && ms_demand_shock_of(p)->start.p[1] == 2.0);
    assert_int_equal(ms_demand_shock_of(p)->has_end, 0);
    assert_int_equal(ms_demand_shock_of(p)->multiplier.kind, MS_DIST_BERNOULLI);
    assert_true(ms_demand_shock_of(p)->multiplier.p[0] == 0.5);

    p = &s->policies[5];
    assert_string_equal(p->name, "quota_jp");
    assert_int_equal(ms_export_control_of(p)->mode, MS_CTRL_QUOTA);
    assert_true(ms_export_control_of(p)->quota_t_per_month.p[0] == 100);
    assert_true(ms_export_control_of(p)->announce.p[0] == 5.0); /* = start */
    assert_int_equal(ms_export_control_of(p)->products[sm], 1);

    /* labels and summary */
    char lab[16];
    ms_scenario_month_label(s, 13, lab, sizeof lab);
    assert_string_equal(lab, "2026-02");
    ms_scenario_month_label(s, -1, lab, sizeof lab);
    assert_string_equal(lab, "2024-12");
    ms_scenario_offset_label(s, 2.5, lab, sizeof lab);
    assert_string_equal(lab, "2025-03");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ms_scenario_print_summary(s, f);
    fclose(f);
    assert_non_null(strstr(buf, "horizon:  2025-01 .. 2027-12 (36 months)"));
    assert_non_null(strstr(buf, "2 products, 3 suppliers, 2 importers, 3 industries, 6 policies"));
    assert_non_null(strstr(buf, "2025-04 - 2026-01..2026-12"));
    assert_true(strstr(buf, "stockpile#0") < strstr(buf, "tariff#0"));     /* sorted by start */
    assert_true(strstr(buf, "tariff#0") < strstr(buf, "april_licensing"));
    assert_true(strstr(buf, "april_licensing") < strstr(buf, "recycling#0"));
    free(buf);
    ms_scenario_free(s);
    ms_diags_clear(&d);
}

static void test_model_example(void **state)
{
    (void)state;
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = load("scenarios/april2025_controls.yaml", &d);
    if (!s)
        dump(&d);
    assert_non_null(s);
    assert_int_equal(d.nerrors, 0);
    assert_true(s->nsuppliers >= 1 && s->nimporters >= 1);
    ms_scenario_free(s);
    ms_diags_clear(&d);
}

/* ---- inheritance ----------------------------------------------------------------- */

static void test_extends(void **state)
{
    (void)state;
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = load("tests/fixtures/extends/child.yaml", &d);
    if (!s)
        dump(&d);
    assert_non_null(s);
    assert_string_equal(s->name, "Child with a ban");   /* scalar replaced */
    assert_int_equal(s->months, 24);                    /* inherited */
    assert_int_equal(s->paths, 200);                    /* run merged key by key */
    assert_int_equal(s->seed, 7);
    assert_int_equal(s->nsuppliers, 2);                 /* other: ~ removed */
    assert_int_equal(ms_scenario_supplier(s, "other"), -1);
    int cn = ms_scenario_supplier(s, "china");
    assert_true(s->suppliers[cn].export_share[0].p[0] == 0.1);        /* overridden */
    assert_true(s->suppliers[cn].capacity_t_per_year[0].p[0] == 300000); /* kept */
    assert_string_equal(s->suppliers[cn].country, "CN");
    const ms_importer *u = &s->importers[0];
    assert_int_equal(u->nindustries, 2);
    assert_true(u->industries[0].cover_months.p[0] == 3);             /* deep merge */
    assert_true(u->industries[0].demand_t_per_year[0].p[0] == 2200);
    assert_int_equal(u->industries[0].cover_months.line, 11);         /* located in the child */
    assert_true(u->industries[1].cover_months.p[0] == 6);
    assert_int_equal(s->npolicies, 1);                                /* list replaced */
    assert_string_equal(ms_policy_type_name(&s->policies[0]), "export_control");
    assert_int_equal(ms_export_control_of(&s->policies[0])->mode, MS_CTRL_BAN);
    /* the files it was built from: the child, then its base, with their bytes */
    assert_int_equal(s->nsources, 2);
    assert_non_null(strstr(s->sources[0].path, "child.yaml"));
    assert_non_null(strstr(s->sources[1].path, "world.yaml"));
    assert_true(s->sources[1].len > 0 && strstr((const char *)s->sources[1].bytes, "china") != NULL);
    /* every input carries the domain the schema gives it */
    const ms_dist *es = &s->suppliers[cn].export_share[0];
    assert_true(es->domain.lo == 0 && es->domain.hi == 1 && !es->domain.lo_open && !es->domain.hi_open);
    assert_true(u->industries[0].cover_months.domain.lo == 0 && isinf(u->industries[0].cover_months.domain.hi));
    assert_int_equal(ms_export_control_of(&s->policies[0])->start.is_date, 1);
    assert_int_equal(es->is_date, 0);
    ms_scenario_free(s);
    ms_diags_clear(&d);

    /* an error written in the base is located in the base file */
    s = load("tests/fixtures/extends/child_of_bad.yaml", &d);
    assert_null(s);
    const ms_diag *g = ms_diags_find(&d, MS_D_RANGE, 6, 53);
    assert_non_null(g);
    assert_non_null(strstr(g->file, "base_bad.yaml"));
    g = ms_diags_find(&d, MS_D_REF, 5, 34);
    assert_non_null(g);
    assert_non_null(strstr(g->file, "child_of_bad.yaml"));
    assert_int_equal(d.nerrors, 2);
    ms_diags_clear(&d);

    /* cycles through two files */
    s = load("tests/fixtures/extends/loop_a.yaml", &d);
    assert_null(s);
    g = ms_diags_find(&d, MS_D_REF, 2, 10);
    assert_non_null(g);
    assert_non_null(strstr(g->file, "loop_b.yaml"));
    ms_diags_clear(&d);
}

/* ---- buffers ---------------------------------------------------------------------- */

static void expect_buffer(const char *buf, size_t len, ms_diag_kind kind, int line, int col)
{
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load_buffer("buf.yaml", buf, len, &d);
    if (s || !ms_diags_find(&d, kind, line, col))
        dump(&d);
    assert_null(s);
    assert_non_null(ms_diags_find(&d, kind, line, col));
    ms_diags_clear(&d);
}

static void test_buffers(void **state)
{
    (void)state;
    expect_buffer("", 0, MS_D_EMPTY, 1, 1);
    expect_buffer(NULL, 0, MS_D_EMPTY, 1, 1);
    expect_buffer("\n\n# only a comment\n", 18, MS_D_EMPTY, 1, 1);
    static const char junk[] = {'\x00', '\x01', '\x02', 'E', 'L', 'F', '\xfe', '\xff', '\x80'};
    expect_buffer(junk, sizeof junk, MS_D_UTF8, 1, 7);
    expect_buffer("magsim: 1\nname: ab\xe2\x82", 21, MS_D_UTF8, 2, 9);       /* truncated sequence */
    expect_buffer("magsim: 1\nname: \xc0\xaf\n", 19, MS_D_UTF8, 2, 7);       /* overlong */
    expect_buffer("magsim: 1\nname: \xed\xa0\x80\n", 20, MS_D_UTF8, 2, 7);   /* surrogate */
    expect_buffer("magsim: 1\n\x01\n", 12, MS_D_SYNTAX, 2, 1);               /* control character */
    expect_buffer("magsim: 1\n---\nname: x\n", 22, MS_D_SYNTAX, 3, 1);       /* two documents */
    expect_buffer("magsim: [1]\n", 12, MS_D_VERSION, 1, 9);
    expect_buffer("42\n", 3, MS_D_TYPE, 1, 1);
    expect_buffer("magsim: 1\n? [a, b]\n: 1\n", 23, MS_D_TYPE, 2, 3);          /* complex key */

    /* deep nesting: 100000 brackets must neither crash nor recurse unbounded */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 16);
    memcpy(deep, "magsim: 1\nx: ", 13);
    memset(deep + 13, '[', depth);
    memset(deep + 13 + depth, ']', depth);
    expect_buffer(deep, 13 + 2 * depth, MS_D_LIMIT, 2, 35);
    free(deep);

    /* billion laughs */
    const char *lol = "magsim: 1\n"
                      "a: &a [x, x, x, x, x, x, x, x, x]\n"
                      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    expect_buffer(lol, strlen(lol), MS_D_LIMIT, 2, 14);
    /* a self-referencing alias stops at the depth limit */
    const char *self = "magsim: 1\nx: &x [*x]\n";
    ms_diags d;
    ms_diags_init(&d);
    assert_null(ms_scenario_load_buffer("self.yaml", self, strlen(self), &d));
    assert_true(d.nerrors >= 1);
    ms_diags_clear(&d);

    /* a small alias that stays small is fine */
    const char *ok = "magsim: 1\nhorizon: {start: 2025-01, months: 12}\nproducts: {p: {price_usd_per_kg: 1}}\n"
                     "suppliers: {a: &s {country: X, capacity_t_per_year: {p: 10}}, b: *s}\n"
                     "importers: {i: {sourcing: {p: {a: 0.5, b: 0.5}}}}\n";
    ms_scenario *s = ms_scenario_load_buffer("alias.yaml", ok, strlen(ok), &d);
    if (!s)
        dump(&d);
    assert_non_null(s);
    assert_true(s->suppliers[1].capacity_t_per_year[0].p[0] == 10);
    assert_key(&s->suppliers[1].capacity_t_per_year[0], "suppliers.b.capacity_t_per_year.p");
    /* defaults of a minimal file */
    assert_int_equal(s->paths, 10000);
    assert_int_equal(s->seed, 1);
    assert_int_equal(s->nquantiles, 4);
    assert_true(s->quantiles[3] == 0.99);
    assert_true(s->shortage_threshold == 0.05);
    assert_string_equal(s->name, "alias.yaml");
    assert_int_equal(s->npolicies, 0);
    ms_scenario_free(s);
    ms_diags_clear(&d);
}

static void test_limits_and_streams(void **state)
{
    (void)state;
    /* 1001 suppliers */
    size_t cap = 64 * 1024;
    char *b = malloc(cap);
    size_t n = (size_t)snprintf(b, cap, "magsim: 1\nhorizon: {start: 2025-01, months: 12}\n"
                                        "products: {p: {price_usd_per_kg: 1}}\nsuppliers:\n");
    for (int i = 0; i <= 1000; i++)
        n += (size_t)snprintf(b + n, cap - n, "  s%d: {country: X}\n", i);
    n += (size_t)snprintf(b + n, cap - n, "importers: {i: {sourcing: {p: {s0: 1}}}}\n");
    expect_buffer(b, n, MS_D_LIMIT, 5, 3);
    /* FNV-1a collision of two uncertain inputs: s9802 and s818260 price_flex */
    n = (size_t)snprintf(b, cap, "magsim: 1\nhorizon: {start: 2025-01, months: 12}\n"
                                 "products: {p: {price_usd_per_kg: 1}}\nsuppliers:\n"
                                 "  s9802: {country: X, price_flex: {dist: uniform, min: 1, max: 2}}\n"
                                 "  s818260: {country: X, price_flex: {dist: uniform, min: 1, max: 2}}\n"
                                 "importers: {i: {sourcing: {p: {s9802: 1}}}}\n");
    assert_int_equal(ms_hash32("suppliers.s9802.price_flex"), ms_hash32("suppliers.s818260.price_flex"));
    ms_diags d;
    ms_diags_init(&d);
    assert_null(ms_scenario_load_buffer("coll.yaml", b, n, &d));
    assert_int_equal(d.nerrors, 1);
    assert_int_equal(d.v[0].kind, MS_D_LIMIT);
    assert_int_equal(d.v[0].line, 5);
    assert_int_equal(d.v[0].column, 35);
    ms_diags_clear(&d);
    free(b);
}

/* ---- documentation covers every key ------------------------------------------------ */

static void test_docs_cover_schema(void **state)
{
    (void)state;
    char *p = fixture("docs/scenario.md");
    FILE *f = fopen(p, "rb");
    free(p);
    assert_non_null(f);
    static char doc[1 << 20];
    size_t len = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[len] = 0;
    int n = 0;
    char **keys = ms_scenario_schema_keys(&n);
    assert_non_null(keys);
    assert_true(n > 100);
    int missing = 0;
    for (int i = 0; i < n; i++) {
        char pat[300];
        snprintf(pat, sizeof pat, "`%s`", keys[i]);
        if (!strstr(doc, pat)) {
            fprintf(stderr, "  docs/scenario.md does not document %s\n", pat);
            missing++;
        }
    }
    int found = 0;
    for (int i = 0; i < n; i++)
        found |= !strcmp(keys[i], "importers.*.industries.*.cover_months");
    assert_true(found);
    ms_scenario_schema_keys_free(keys);
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_fixtures),
        cmocka_unit_test(test_multi_errors),
        cmocka_unit_test(test_diag_print),
        cmocka_unit_test(test_good_full),
        cmocka_unit_test(test_model_example),
        cmocka_unit_test(test_extends),
        cmocka_unit_test(test_buffers),
        cmocka_unit_test(test_limits_and_streams),
        cmocka_unit_test(test_docs_cover_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
