package io.ifpin.dns;

import io.ifpin.audit.AuditLog;
import io.ifpin.audit.AuditRecord;
import io.ifpin.log.IfpinLog;
import io.ifpin.rules.FirstHostMatch;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The name-lookup hook: decides, for a name the JDK is about to give its resolver, which rule (if any) owns it. The
 * first rule whose {@code hosts} match the name and that has {@code dns}, or denies every socket to its hosts, decides:
 * <ul>
 *   <li>{@code dns}: the rule's servers answer, over its interface ({@link DnsResolver}); the system resolver never
 *       sees the name, unless the rule's own {@code on-error = fail-open} allows it when the servers do not answer;</li>
 *   <li>a deny rule: the lookup is refused, and no query leaves.</li>
 * </ul>
 * Every other name returns null: the JDK's usual path. See docs/how-it-works.md, "Name lookups".
 *
 * <p>Not itself the bridge's {@code NameHook} ({@link NameLookupHook} is): the CLI uses it where the bridge, a
 * bootstrap class, does not exist.
 */
public final class NameResolution {

    static final long READY_WAIT_MILLIS = 10_000;

    /** The deciding rules, indexed by host pattern; replaced whole by {@link #apply} on a reload. */
    private volatile FirstHostMatch deciding;
    /** By rule object (identity): a reloaded rule of the same name may name other servers. */
    private final Map<Rule, DnsResolver> resolvers = new ConcurrentHashMap<>();
    private final Function<Rule, DnsResolver> resolverFactory;
    private final CountDownLatch ready = new CountDownLatch(1);
    /** Why ifpin's DNS sockets cannot be pinned; null when they can. Set before {@link #ready} opens. */
    private volatile String unavailable;
    private volatile AuditLog audit;
    /** Removes short-TTL answers from the JDK's cache; null before {@link #ready} or when the cache is unreachable. */
    private volatile ShortTtlExpiry expiry;
    private final LookupStats stats = new LookupStats();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    NameResolution(RuleSet rules, Function<Rule, DnsResolver> resolverFactory) {
        this.deciding = new FirstHostMatch(List.of(decidingRules(rules)));
        this.resolverFactory = resolverFactory;
    }

    private static Rule[] decidingRules(RuleSet rules) {
        List<Rule> list = new ArrayList<>();
        for (Rule rule : rules.rules()) {
            if (rule.decidesNames()) {
                list.add(rule);
            }
        }
        return list.toArray(new Rule[0]);
    }

    /**
     * A reloaded config's rules decide names from now on (names the JDK has cached keep their answers until the
     * cache expires them).
     */
    public void apply(RuleSet rules) {
        FirstHostMatch replacement = new FirstHostMatch(List.of(decidingRules(rules)));
        resolvers.clear();
        deciding = replacement;
    }

    /** The hook for {@code rules}, or null when no rule decides any name (then lookups cost one volatile read). */
    public static NameResolution forRules(RuleSet rules) {
        // Runs in premain when a rule decides names (AgentInstaller asks RuleSet first): no lambda here.
        return rules.anyDecidesNames() ? new NameResolution(rules, new PinnedResolvers()) : null;
    }

    /** Each rule's resolver: its servers, over sockets pinned to its interface, families as the JDK would ask. */
    private static final class PinnedResolvers implements Function<Rule, DnsResolver> {
        @Override
        public DnsResolver apply(Rule rule) {
            return new DnsResolver(rule.dnsServers(), new PinnedDnsTransport(rule.interfaceName()),
                    DnsResolver.AddressFamilies.fromSystemProperties(), DnsResolver.TIMEOUT_MILLIS,
                    DnsResolver.ATTEMPTS);
        }
    }

    /** ifpin's DNS sockets can be pinned from now on ({@link OwnDnsSockets} with native access is installed). */
    public void ready(AuditLog auditLog) {
        ready(auditLog, ShortTtlExpiry.forJdk());
    }

    void ready(AuditLog auditLog, ShortTtlExpiry ttlExpiry) {
        this.audit = auditLog;
        this.expiry = ttlExpiry;
        ready.countDown();
    }

    /** Native access failed: every lookup of a dns rule fails (or falls back where the rule allows it). */
    public void unavailable(String reason) {
        unavailable = "ifpin cannot pin its DNS sockets (" + reason + ")";
        ready.countDown();
    }

    public LookupStats stats() {
        return stats;
    }

    /**
     * The rule that decides {@code host}, or null (for {@code explain} and the hook): a hash probe per label, no
     * allocation, since every miss of the JDK's cache comes here (docs/performance.md, "Name lookups").
     */
    public Rule decidingRule(String host) {
        return deciding.first(host);
    }

    /** See {@link io.ifpin.bridge.NameHook#lookup}; installed through {@link NameLookupHook}. */
    public InetAddress[] lookup(String host) throws UnknownHostException {
        Rule rule = decidingRule(host);
        if (rule == null) {
            return null;
        }
        long started = System.currentTimeMillis();
        if (!rule.hasDns()) {
            stats.refused(rule.name());
            record(started, rule, host, null, "denied", null);
            throw new UnknownHostException(host + ": refused by ifpin rule \"" + rule.name() + "\" (deny, "
                    + rule.origin() + "); no DNS query was sent");
        }
        String where = "ifpin rule \"" + rule.name() + "\" (DNS servers " + rule.dnsServers() + " over interface "
                + rule.interfaceName() + ")";
        String failure;
        try {
            failure = awaitReady();
            if (failure == null) {
                DnsResolver.Result result = resolvers.computeIfAbsent(rule, k -> resolverFactory.apply(rule))
                        .resolve(host);
                if (result.addresses().isEmpty()) {
                    stats.notFound(rule.name());
                    record(started, rule, host, result.answeredBy(), "no-address", null);
                    throw new UnknownHostException(host + ": no address from " + where);
                }
                stats.resolved(rule.name());
                record(started, rule, host, result.answeredBy(), "resolved", null);
                ShortTtlExpiry ttlExpiry = expiry;
                if (ttlExpiry != null) {
                    ttlExpiry.answered(host, result.ttlSeconds());
                }
                return result.addresses().toArray(new InetAddress[0]);
            }
        } catch (DnsResolver.NoSuchNameException e) {
            stats.notFound(rule.name());
            record(started, rule, host, e.server, "nxdomain", null);
            throw new UnknownHostException(host + ": no such name (NXDOMAIN) from " + where);
        } catch (DnsResolver.ServersFailedException e) {
            failure = e.getMessage();
        }
        if (rule.dnsFallback()) {
            stats.fellBack(rule.name());
            record(started, rule, host, null, "fallback", failure);
            reportOnce(rule, "fallback", "WARN " + where + " did not answer for " + host + " (" + failure + "); the"
                    + " rule's on-error = fail-open lets the system resolver answer instead (over the default route)."
                    + " Counted per rule; reported once. Fix: make the servers reachable over "
                    + rule.interfaceName() + ", or remove on-error = fail-open to keep the names off the system"
                    + " resolver");
            return null;
        }
        stats.failed(rule.name());
        record(started, rule, host, null, "failed", failure);
        reportOnce(rule, "failed", "WARN " + where + " did not answer for " + host + " (" + failure + "); the"
                + " lookup fails and the system resolver is not asked. Counted per rule; reported once. Fix: check"
                + " that the servers answer over " + rule.interfaceName() + " (ifpin check <config>), or write"
                + " on-error = fail-open on the rule to let the system resolver answer when they do not");
        throw new UnknownHostException(host + ": " + where + " did not answer (" + failure + "); the system resolver"
                + " is not asked");
    }

    /** Null when ifpin's DNS sockets can be pinned, else why not. */
    private String awaitReady() {
        try {
            if (!ready.await(READY_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return "ifpin's native access is not ready after " + READY_WAIT_MILLIS + " ms";
            }
            return unavailable;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while ifpin's native access was loading";
        }
    }

    private void reportOnce(Rule rule, String cause, String message) {
        if (reported.add(rule.name() + "\u0000" + cause)) {
            int space = message.indexOf(' ');
            String text = message.substring(space + 1);
            if (message.startsWith("WARN")) {
                IfpinLog.warn(text);
            } else {
                IfpinLog.error(text);
            }
        }
    }

    private void record(long started, Rule rule, String host, String server, String result, String detail) {
        AuditLog log = audit;
        if (log != null) {
            log.record(new AuditRecord(started, rule.name(), rule.hasDns() ? "lookup" : "deny", "dns", null,
                    server != null ? server : rule.dnsServers().toString(), host, rule.interfaceName(), result,
                    detail));
        }
    }

    /** See {@link io.ifpin.bridge.NameHook#hookFailed}. */
    public void hookFailed(Throwable failure) {
        if (reported.add("internal\u0000" + failure.getClass().getName())) {
            IfpinLog.error("the name-lookup hook failed (" + failure + "); the lookup fails rather than going to the"
                    + " system resolver. Please report this.");
        }
    }
}
