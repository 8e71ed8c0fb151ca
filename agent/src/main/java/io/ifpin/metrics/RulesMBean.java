package io.ifpin.metrics;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenMBeanAttributeInfoSupport;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * {@code ifpin:type=Rules}: the per-rule counters and the config in force, readable with jconsole, VisualVM, any JMX
 * client or the Prometheus JMX exporter (docs/deployment.md).
 *
 * <p>A {@link DynamicMBean} with open types only, so a client needs no ifpin class: the counters are one
 * {@code Rules} table indexed by rule name (the exporter turns its rows into labelled samples), plus totals.
 */
public final class RulesMBean implements DynamicMBean {
    public static final String OBJECT_NAME = "ifpin:type=Rules";

    private static final String[] COLUMNS = {"rule", "matched", "pinned", "allowed", "denied", "errors", "refused",
        "errorsByErrno", "outages", "outageFailures", "outageSince", "lastOutageEnded"};
    private static final CompositeType ROW;
    private static final TabularType TABLE;

    static {
        try {
            OpenType<?>[] types = {SimpleType.STRING, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG,
                SimpleType.LONG, SimpleType.LONG, SimpleType.LONG, SimpleType.STRING, SimpleType.LONG, SimpleType.LONG,
                SimpleType.STRING, SimpleType.STRING};
            String[] descriptions = {"rule name ((default) for default-action)", "sockets the rule decided",
                "sockets pinned (or found already pinned)", "sockets allowed as they were", "sockets denied",
                "pinning failures", "of the failures, sockets refused because the rule is fail-closed",
                "failures by errno, e.g. EPERM=2,ENODEV=1",
                "outages so far: runs of failed pins, each ended by a pin that worked (the open one included)",
                "failed pins in the open outage (0 when pinning works)",
                "when the open outage started (ISO-8601), empty when pinning works",
                "when the last outage ended (ISO-8601), empty when none has"};
            ROW = new CompositeType("ifpin.RuleCounters", "counters of one rule", COLUMNS, descriptions, types);
            TABLE = new TabularType("ifpin.Rules", "counters per rule", ROW, new String[] {"rule"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Metrics metrics;
    private final Map<String, Function<Metrics, Object>> getters = Map.ofEntries(
            Map.entry("ConfigFile", m -> m.config().source()),
            Map.entry("ConfigVersion", m -> m.config().version()),
            Map.entry("ConfigLoadedAt", m -> m.config().loadedAt().toString()),
            Map.entry("Mode", m -> m.config().mode()),
            Map.entry("Reloads", Metrics::reloads),
            Map.entry("ReloadFailures", Metrics::reloadFailures),
            Map.entry("AuditDropped", Metrics::auditDropped),
            Map.entry("AuditFailing", Metrics::auditFailing),
            Map.entry("Lookups", Metrics::lookups),
            Map.entry("Interfaces", Metrics::interfaces),
            Map.entry("Steering", Metrics::steering),
            Map.entry("Matched", m -> total(m, RuleStats::matched)),
            Map.entry("Denied", m -> total(m, RuleStats::deniedCount)),
            Map.entry("Errors", m -> total(m, RuleStats::errorCount)),
            Map.entry("OpenOutages", m -> total(m, stats -> stats.outages().open() ? 1 : 0)),
            Map.entry("Rules", RulesMBean::table));

    public RulesMBean(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Registers the bean with the platform MBean server (replacing an earlier one of the same name). */
    public static void register(Metrics metrics) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(new RulesMBean(metrics), name);
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Function<Metrics, Object> getter = getters.get(attribute);
        if (getter == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return getter.apply(metrics);
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        for (String attribute : attributes) {
            Function<Metrics, Object> getter = getters.get(attribute);
            if (getter != null) {
                list.add(new Attribute(attribute, getter.apply(metrics)));
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("ifpin:type=Rules has no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        MBeanAttributeInfo[] attributes = {
            new OpenMBeanAttributeInfoSupport("ConfigFile", "the config file in force", SimpleType.STRING, true,
                    false, false),
            new OpenMBeanAttributeInfoSupport("ConfigVersion", "SHA-256 of the config file's text (first 12 hex"
                    + " digits)", SimpleType.STRING, true, false, false),
            new OpenMBeanAttributeInfoSupport("ConfigLoadedAt", "when the config in force was loaded (ISO-8601)",
                    SimpleType.STRING, true, false, false),
            new OpenMBeanAttributeInfoSupport("Mode", "ifpin.mode in force: enforce, or observe (no socket is"
                    + " pinned or refused; the counters say what would have happened)", SimpleType.STRING, true,
                    false, false),
            new OpenMBeanAttributeInfoSupport("Reloads", "successful reloads", SimpleType.LONG, true, false, false),
            new OpenMBeanAttributeInfoSupport("ReloadFailures", "reloads refused because the file was invalid",
                    SimpleType.LONG, true, false, false),
            new OpenMBeanAttributeInfoSupport("AuditDropped", "decisions the audit log dropped (queue full, or the"
                    + " file could not be opened or written)", SimpleType.LONG, true, false, false),
            new OpenMBeanAttributeInfoSupport("AuditFailing", "empty while the audit log is written; else since when"
                    + " and why it cannot be (ISO-8601: reason)", SimpleType.STRING, true, false, false),
            new OpenMBeanAttributeInfoSupport("Lookups", "name lookups decided by rules (dns, or deny by hosts), per"
                    + " rule: rule: resolved=N,not_found=N,failed=N,fell_back=N,refused=N; ...", SimpleType.STRING,
                    true, false, false),
            new OpenMBeanAttributeInfoSupport("Interfaces", "rules with a list of interfaces or wait-for-interface:"
                    + " rule: using <interface in use>, pinned <interface>=N,...; ...", SimpleType.STRING, true, false,
                    false),
            new OpenMBeanAttributeInfoSupport("Steering", "rules that give sockets a source address or a firewall"
                    + " mark, with them: rule: b0 source 203.0.113.7 mark 16 (0x10); ... (their counters are in"
                    + " Rules; EPERM and EADDRNOTAVAIL in errorsByErrno)", SimpleType.STRING, true, false, false),
            new OpenMBeanAttributeInfoSupport("Matched", "decisions, all rules", SimpleType.LONG, true, false, false),
            new OpenMBeanAttributeInfoSupport("Denied", "denied sockets, all rules", SimpleType.LONG, true, false,
                    false),
            new OpenMBeanAttributeInfoSupport("Errors", "pinning failures, all rules", SimpleType.LONG, true, false,
                    false),
            new OpenMBeanAttributeInfoSupport("OpenOutages", "rules whose pins fail now (an open outage)",
                    SimpleType.LONG, true, false, false),
            new OpenMBeanAttributeInfoSupport("Rules", "counters per rule", TABLE, true, false, false),
        };
        return new MBeanInfo(RulesMBean.class.getName(), "ifpin rules and their counters", attributes, null, null,
                null);
    }

    private static String isoOrEmpty(java.time.Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    private static long total(Metrics metrics, java.util.function.ToLongFunction<RuleStats> counter) {
        return metrics.snapshot().values().stream().mapToLong(counter).sum();
    }

    private static TabularDataSupport table(Metrics metrics) {
        TabularDataSupport table = new TabularDataSupport(TABLE);
        metrics.snapshot().forEach((name, stats) -> {
            StringJoiner byErrno = new StringJoiner(",");
            stats.errorsByErrno().forEach((errno, count) -> byErrno.add(errno + "=" + count));
            RuleOutages outages = stats.outages();
            Object[] values = {name, stats.matched(), stats.pinnedCount(), stats.allowedCount(), stats.deniedCount(),
                stats.errorCount(), stats.refusedCount(), byErrno.toString(), outages.started(),
                outages.currentFailures(), isoOrEmpty(outages.currentSince()), isoOrEmpty(outages.lastEnded())};
            try {
                table.put(new CompositeDataSupport(ROW, COLUMNS, values));
            } catch (OpenDataException e) {
                throw new IllegalStateException(e);
            }
        });
        return table;
    }
}
