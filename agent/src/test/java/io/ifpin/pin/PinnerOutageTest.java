package io.ifpin.pin;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.log.LogCapture;
import io.ifpin.metrics.Metrics;
import io.ifpin.metrics.RuleOutages;
import io.ifpin.metrics.RulesMBean;
import io.ifpin.os.Errno;
import io.ifpin.rules.CallerLookup;
import org.junit.jupiter.api.Test;

import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 19 item 3: a pinning failure is reported once per outage, and its end is reported too. */
class PinnerOutageTest {

    private final PinnerTest.FakeSockets sockets = new PinnerTest.FakeSockets();
    private final Metrics metrics = new Metrics();
    private final ErrorReporter reporter = new ErrorReporter();
    private final Pinner pinner;

    PinnerOutageTest() throws Exception {
        IfpinConfig config = ConfigLoader.parse("ifpin.rules = [ { name = storage, cidrs = [\"203.0.113.10/32\"],"
                + " interface = b0 } ]", "outage.conf");
        pinner = new Pinner(config, sockets, reporter, new KernelVersion("6.1.0"), AsyncRouteChecker.DISABLED,
                metrics, null, CallerLookup.UNKNOWN);
    }

    private int nextFd = 10;

    /** {@code n} connects of new sockets; {@code errno} 0: pinning works. */
    private void connects(int n, int errno) throws Exception {
        sockets.failWith = errno;
        for (int i = 0; i < n; i++) {
            pinner.beforeTcpConnect(PinnerTest.fd(nextFd++), InetAddress.getByName("203.0.113.10"), 7000);
        }
    }

    @Test
    void eachOutageIsReportedWhenItStartsAndWhenItEndsWithItsCount() throws Exception {
        LogCapture log = LogCapture.start();
        connects(2, 0);
        connects(3, Errno.ENODEV);
        connects(2, 0);
        connects(4, Errno.ENODEV);
        connects(1, 0);
        List<String> lines = log.lines();
        List<String> errors = lines.stream().filter(l -> l.startsWith("[ifpin] ERROR rule 'storage'")).toList();
        List<String> ends = lines.stream().filter(l -> l.startsWith("[ifpin] INFO rule 'storage'")).toList();
        assertEquals(2, errors.size(), lines.toString());
        assertTrue(errors.get(0).contains(": ENODEV. ") && errors.get(0).endsWith("(reported once per outage; repeats"
                + " are counted until pinning to 'b0' works again)"), errors.get(0));
        assertEquals(2, ends.size(), lines.toString());
        assertTrue(ends.get(0).matches("\\[ifpin] INFO rule 'storage': pinning to 'b0' works again after 3"
                + " failure\\(s\\) with ENODEV since \\S+Z"), ends.get(0));
        assertTrue(ends.get(1).contains("works again after 4 failure(s) with ENODEV"), ends.get(1));
        assertEquals(7, reporter.count("rule 'storage': ENODEV pinning to 'b0'"));
        RuleOutages outages = metrics.stats("storage").outages();
        assertEquals(2, outages.started());
        assertEquals(0, outages.currentFailures());
        assertEquals(null, outages.currentSince());
        assertNotEquals(null, outages.lastEnded());
    }

    @Test
    void theMBeanShowsTheOpenOutageAndTheOnesBefore() throws Exception {
        connects(2, Errno.ENODEV);
        connects(1, 0);
        connects(5, Errno.ENODEV);
        CompositeData row = row();
        assertEquals(2L, row.get("outages"));
        assertEquals(5L, row.get("outageFailures"));
        assertTrue(((String) row.get("outageSince")).endsWith("Z"), row.toString());
        assertTrue(((String) row.get("lastOutageEnded")).endsWith("Z"), row.toString());
        assertEquals(1L, new RulesMBean(metrics).getAttribute("OpenOutages"));
        connects(1, 0);
        row = row();
        assertEquals(0L, row.get("outageFailures"));
        assertEquals("", row.get("outageSince"));
        assertEquals(0L, new RulesMBean(metrics).getAttribute("OpenOutages"));
    }

    @Test
    void aPinThatWorksWithoutAnOutageLogsNothing() throws Exception {
        LogCapture log = LogCapture.start();
        connects(50, 0);
        assertEquals(List.of(), log.lines());
        assertEquals(0, metrics.stats("storage").outages().started());
    }

    @Test
    void aClosedSocketIsNotAnOutage() throws Exception {
        connects(1, Errno.EBADF);
        assertEquals(0, metrics.stats("storage").outages().started());
    }

    private CompositeData row() throws Exception {
        TabularData table = (TabularData) new RulesMBean(metrics).getAttribute("Rules");
        return table.get(new Object[] {"storage"});
    }
}
