package io.ifpin.pin;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.link.LinkMonitor;
import io.ifpin.link.LinkMonitors;
import io.ifpin.log.LogCapture;
import io.ifpin.metrics.Metrics;
import io.ifpin.metrics.RulesMBean;
import io.ifpin.rules.CallerLookup;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ifpin.link.LinkMonitors.link;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15: a rule's sockets go to the first of its interfaces that is up, or wait for one, or give up by on-error. */
class PinnerInterfaceListTest {

    private final PinnerTest.FakeSockets sockets = new PinnerTest.FakeSockets();
    private final Metrics metrics = new Metrics();
    private final LinkMonitor links = LinkMonitors.fedByTest();
    private int nextFd = 10;

    private Pinner pinner(String rule) throws Exception {
        IfpinConfig config = ConfigLoader.parse("ifpin.rules = [ { name = corp, cidrs = [\"203.0.113.10/32\"], "
                + rule + " } ]", "list.conf");
        metrics.interfacesFrom(links::describe);
        return new Pinner(config, sockets, new ErrorReporter(), new KernelVersion("6.1.0"),
                AsyncRouteChecker.DISABLED, metrics, null, CallerLookup.UNKNOWN, links);
    }

    /** A connect on a new socket; the interface it was pinned to, or "" when none. */
    private String connect(Pinner pinner) throws Exception {
        int fd = nextFd++;
        pinner.beforeTcpConnect(PinnerTest.fd(fd), InetAddress.getByName("203.0.113.10"), 7000);
        return sockets.bound.getOrDefault(fd, "");
    }

    @Test
    void theFirstInterfaceThatIsUpIsUsed() throws Exception {
        Pinner pinner = pinner("interface = [c0, b0]");
        LinkMonitors.dump(links, link(2, "b0", true));
        assertEquals("b0", connect(pinner));
        LinkMonitors.notify(links, link(7, "c0", true));
        assertEquals("c0", connect(pinner));
        assertEquals("c0", connect(pinner));
        LinkMonitors.notify(links, link(7, "c0", false));
        assertEquals("b0", connect(pinner));
        assertEquals("corp: using b0, pinned c0=2,b0=2", new RulesMBean(metrics).getAttribute("Interfaces"));
        assertEquals(4, metrics.stats("corp").pinnedCount());
    }

    @Test
    void observeModeSaysWhichInterfaceWouldBeUsedAndTouchesNothing() throws Exception {
        IfpinConfig config = ConfigLoader.parse("ifpin { mode = observe, rules = [ { name = corp, cidrs ="
                + " [\"203.0.113.10/32\"], interface = [c0, b0], wait-for-interface = 10m } ] }", "observe.conf");
        Pinner pinner = new Pinner(config, sockets, new ErrorReporter(), new KernelVersion("6.1.0"),
                AsyncRouteChecker.DISABLED, metrics, null, CallerLookup.UNKNOWN, links);
        LinkMonitors.dump(links, link(2, "b0", true));
        LogCapture log = LogCapture.start();
        assertEquals("", connect(pinner));
        assertTrue(log.lines().stream().anyMatch(l -> l.contains("would pin TCP socket") && l.endsWith(" to 'b0';"
                + " the socket proceeds untouched (reported once; repeats are counted)")), log.lines().toString());
        assertEquals(List.of(), sockets.calls);
    }

    @Test
    void beforeTheLinksAreKnownAndWhenNoneIsUpWithoutAWaitTheFirstIsTried() throws Exception {
        Pinner pinner = pinner("interface = [c0, b0]");
        assertEquals("c0", connect(pinner), "state not known yet: what a single interface does");
        LinkMonitors.dump(links, link(2, "b0", false));
        assertEquals("c0", connect(pinner), "none up and no wait: as before, the first");
    }

    @Test
    void aConnectWaitsForAnInterfaceAndIsPinnedToItWhenItComesUp() throws Exception {
        Pinner pinner = pinner("interface = [c0, b0], wait-for-interface = 10m");
        LinkMonitors.dump(links, link(2, "b0", false));
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return connect(pinner);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        LinkMonitors.notify(links, link(9, "c0", true));
        assertEquals("c0", waiting.get(60, TimeUnit.SECONDS));
    }

    @Test
    void failClosedRefusesAfterTheWaitNamingTheInterfacesAndTheTime() throws Exception {
        Pinner pinner = pinner("interface = c0, wait-for-interface = 100ms, on-error = fail-closed");
        LinkMonitors.dump(links, link(2, "b0", true));
        LogCapture log = LogCapture.start();
        ConnectException e = assertThrows(ConnectException.class, () -> connect(pinner));
        assertEquals("ifpin refused TCP to 203.0.113.10:7000: rule 'corp' (list.conf:1), on-error = fail-closed,"
                + " waited 100 ms for c0, none came up", e.getMessage());
        assertThrows(ConnectException.class, () -> connect(pinner));
        List<String> errors = log.lines().stream().filter(l -> l.startsWith("[ifpin] ERROR")).toList();
        assertEquals(List.of("[ifpin] ERROR rule 'corp' (list.conf:1): TCP socket 192.0.2.2:40000 -> 203.0.113.10:7000"
                + " waited 100 ms for c0 and none came up (c0 is missing). The socket is refused (on-error ="
                + " fail-closed). Fix: bring up c0 (ip link), list a fallback interface that is up, or raise"
                + " wait-for-interface if the interface comes up later. (reported once per outage; repeats are"
                + " counted until pinning to 'c0' works again)"), errors);
        assertEquals(List.of(), sockets.calls.stream().filter(c -> c.startsWith("set")).toList(), "never pinned");
        assertEquals(2, metrics.stats("corp").refusedCount());
        assertEquals(2L, metrics.stats("corp").errorsByErrno().get("no-interface"));
    }

    @Test
    void failOpenProceedsUnpinnedAfterTheWaitAndTheNextPinEndsTheOutage() throws Exception {
        Pinner pinner = pinner("interface = [c0, b0], wait-for-interface = 100ms");
        LinkMonitors.dump(links);
        LogCapture log = LogCapture.start();
        assertEquals("", connect(pinner));
        LinkMonitors.notify(links, link(2, "b0", true));
        assertEquals("b0", connect(pinner));
        assertTrue(log.lines().stream().anyMatch(l -> l.matches("\\[ifpin] INFO rule 'corp': pinning to 'b0' works"
                + " again after 1 failure\\(s\\) with no-interface since \\S+Z")), log.lines().toString());
        assertEquals(0, metrics.stats("corp").refusedCount());
        assertEquals(1, metrics.stats("corp").errorCount());
    }
}
