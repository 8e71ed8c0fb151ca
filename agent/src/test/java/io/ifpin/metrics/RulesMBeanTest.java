package io.ifpin.metrics;

import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RulesMBeanTest {
    @Test
    void modeSaysObserveWhenTheCountersAreWhatWouldHaveHappened() throws Exception {
        Metrics metrics = new Metrics();
        metrics.configLoaded(new Metrics.ConfigInfo("/etc/ifpin.conf", "a", Instant.EPOCH, List.of("(default)"),
                "observe"), false);
        RulesMBean.register(metrics);
        assertEquals("observe", ManagementFactory.getPlatformMBeanServer().getAttribute(
                new ObjectName("ifpin:type=Rules"), "Mode"));
    }

    @Test
    void showsPerRuleCountersAndTheConfigThroughThePlatformServer() throws Exception {
        Metrics metrics = new Metrics();
        metrics.configLoaded(new Metrics.ConfigInfo("/etc/ifpin.conf", "0123456789ab", Instant.parse(
                "2026-11-26T12:00:00Z"), List.of("storage", "(default)")), false);
        metrics.stats("storage").pinned();
        metrics.stats("storage").error("EPERM", true);
        metrics.stats("storage").error("EPERM", false);
        metrics.stats("(default)").denied();
        metrics.auditDroppedFrom(() -> 7);
        metrics.lookupsFrom(() -> "corp: resolved=2");
        RulesMBean.register(metrics);
        RulesMBean.register(metrics); // a second agent start (tests) replaces the bean

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("ifpin:type=Rules");
        assertEquals("/etc/ifpin.conf", server.getAttribute(name, "ConfigFile"));
        assertEquals("0123456789ab", server.getAttribute(name, "ConfigVersion"));
        assertEquals("2026-11-26T12:00:00Z", server.getAttribute(name, "ConfigLoadedAt"));
        assertEquals("enforce", server.getAttribute(name, "Mode"));
        assertEquals(4L, server.getAttribute(name, "Matched"));
        assertEquals(1L, server.getAttribute(name, "Denied"));
        assertEquals(2L, server.getAttribute(name, "Errors"));
        assertEquals(7L, server.getAttribute(name, "AuditDropped"));
        assertEquals("corp: resolved=2", server.getAttribute(name, "Lookups"));
        assertEquals(0L, server.getAttribute(name, "Reloads"));
        TabularData table = (TabularData) server.getAttribute(name, "Rules");
        CompositeData storage = table.get(new Object[] {"storage"});
        assertEquals(3L, storage.get("matched"));
        assertEquals(1L, storage.get("pinned"));
        assertEquals(2L, storage.get("errors"));
        assertEquals(1L, storage.get("refused"));
        assertEquals("EPERM=2", storage.get("errorsByErrno"));
        assertEquals(1L, table.get(new Object[] {"(default)"}).get("denied"));
        server.unregisterMBean(name);
    }

    @Test
    void aReloadThatRemovesARuleEndsItsOpenOutage() throws Exception {
        Metrics metrics = new Metrics();
        metrics.configLoaded(new Metrics.ConfigInfo("/etc/ifpin.conf", "a", Instant.EPOCH, List.of("vpn", "(default)")),
                false);
        metrics.stats("vpn").outages().failed("ENODEV");
        assertEquals(1L, new RulesMBean(metrics).getAttribute("OpenOutages"));
        metrics.configLoaded(new Metrics.ConfigInfo("/etc/ifpin.conf", "b", Instant.EPOCH, List.of("(default)")), true);
        assertEquals(0L, new RulesMBean(metrics).getAttribute("OpenOutages"));
        assertEquals(1L, metrics.stats("vpn").outages().started());
    }
}
