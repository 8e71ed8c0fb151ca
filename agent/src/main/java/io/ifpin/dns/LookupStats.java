package io.ifpin.dns;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Lookup counters per rule: resolved, not found (NXDOMAIN or no address), failed, fell back, refused. */
public final class LookupStats {

    public enum Outcome { RESOLVED, NOT_FOUND, FAILED, FELL_BACK, REFUSED }

    private final Map<String, LongAdder[]> byRule = new ConcurrentHashMap<>();

    void resolved(String rule) {
        add(rule, Outcome.RESOLVED);
    }

    void notFound(String rule) {
        add(rule, Outcome.NOT_FOUND);
    }

    void failed(String rule) {
        add(rule, Outcome.FAILED);
    }

    void fellBack(String rule) {
        add(rule, Outcome.FELL_BACK);
    }

    void refused(String rule) {
        add(rule, Outcome.REFUSED);
    }

    private void add(String rule, Outcome outcome) {
        byRule.computeIfAbsent(rule, k -> {
            LongAdder[] counters = new LongAdder[Outcome.values().length];
            for (int i = 0; i < counters.length; i++) {
                counters[i] = new LongAdder();
            }
            return counters;
        })[outcome.ordinal()].increment();
    }

    public long count(String rule, Outcome outcome) {
        LongAdder[] counters = byRule.get(rule);
        return counters == null ? 0 : counters[outcome.ordinal()].sum();
    }

    /** {@code corp: resolved=3,not_found=1,failed=0,fell_back=0,refused=0; ...}, rules by name; empty before any. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        snapshot().forEach((rule, counts) -> {
            if (out.length() > 0) {
                out.append("; ");
            }
            StringBuilder pairs = new StringBuilder();
            counts.forEach((outcome, count) -> pairs.append(pairs.length() == 0 ? "" : ",").append(outcome)
                    .append('=').append(count));
            out.append(rule).append(": ").append(pairs);
        });
        return out.toString();
    }

    /** Rule name to outcome counts, outcomes in declaration order. */
    public Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        byRule.forEach((rule, counters) -> {
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            for (Outcome outcome : Outcome.values()) {
                counts.put(outcome.name().toLowerCase(java.util.Locale.ROOT), counters[outcome.ordinal()].sum());
            }
            out.put(rule, counts);
        });
        return out;
    }
}
