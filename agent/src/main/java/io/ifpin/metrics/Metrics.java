package io.ifpin.metrics;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything the {@code ifpin:type=Rules} MBean shows: counters per rule name (kept across reloads, so a rule that
 * survives a reload keeps counting), the rules of the config in force, and where and when it was loaded.
 */
public final class Metrics {
    private final Map<String, RuleStats> byName = new ConcurrentHashMap<>();
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    private volatile ConfigInfo config = new ConfigInfo("(none)", "", Instant.EPOCH, List.of());
    // Null until set, rather than default lambdas: Metrics is built at startup, where each lambda spins classes.
    private volatile LongSupplier auditDropped;
    private volatile Supplier<String> auditFailing;
    private volatile Supplier<String> lookups;
    private volatile Supplier<String> interfaces;
    private volatile String steering = "";

    /**
     * The config in force: its file, a version (a hash of its text), when it was loaded, its rule names in order, and
     * its {@code ifpin.mode} ({@code enforce} or {@code observe}: then the counters say what would have happened).
     */
    public record ConfigInfo(String source, String version, Instant loadedAt, List<String> ruleNames, String mode) {
        public ConfigInfo(String source, String version, Instant loadedAt, List<String> ruleNames) {
            this(source, version, loadedAt, ruleNames, "enforce");
        }
    }

    /** The counters of the rule called {@code name}, created on first use. */
    public RuleStats stats(String name) {
        return byName.computeIfAbsent(name, key -> new RuleStats());
    }

    public void configLoaded(ConfigInfo info, boolean isReload) {
        config = info;
        // A rule that is gone cannot end its outage with a pin that works: end it here, so that OpenOutages counts
        // only rules in force.
        byName.forEach((name, stats) -> {
            if (!info.ruleNames().contains(name)) {
                stats.outages().endAll();
            }
        });
        if (isReload) {
            reloads.incrementAndGet();
        }
    }

    public void reloadFailed() {
        reloadFailures.incrementAndGet();
    }

    public void auditDroppedFrom(LongSupplier dropped) {
        auditDropped = dropped;
    }

    /** @param failing empty while the audit log is written, else since when and why it is not */
    public void auditFailingFrom(Supplier<String> failing) {
        auditFailing = failing;
    }

    public String auditFailing() {
        Supplier<String> failing = auditFailing;
        return failing == null ? "" : failing.get();
    }

    /** @param counts name lookups decided by rules, per rule (see {@code io.ifpin.dns.LookupStats#describe}) */
    public void lookupsFrom(Supplier<String> counts) {
        lookups = counts;
    }

    public String lookups() {
        Supplier<String> counts = lookups;
        return counts == null ? "" : counts.get();
    }

    /** @param inUse per rule with a list of interfaces: the one in use and sockets pinned to each (LinkMonitor) */
    public void interfacesFrom(Supplier<String> inUse) {
        interfaces = inUse;
    }

    public String interfaces() {
        Supplier<String> inUse = interfaces;
        return inUse == null ? "" : inUse.get();
    }

    /** The rules in force that give sockets a source or a mark: {@code rule: source 203.0.113.7, mark 16; ...}. */
    public void steering(String rules) {
        steering = rules;
    }

    public String steering() {
        return steering;
    }

    public ConfigInfo config() {
        return config;
    }

    public long reloads() {
        return reloads.get();
    }

    public long reloadFailures() {
        return reloadFailures.get();
    }

    public long auditDropped() {
        LongSupplier dropped = auditDropped;
        return dropped == null ? 0 : dropped.getAsLong();
    }

    /** The counters of the rules in force, in config order, then the default rule and rules no longer in force. */
    public Map<String, RuleStats> snapshot() {
        Map<String, RuleStats> out = new LinkedHashMap<>();
        for (String name : config.ruleNames()) {
            out.put(name, stats(name));
        }
        byName.forEach(out::putIfAbsent);
        return out;
    }
}
