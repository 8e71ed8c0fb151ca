package io.ifpin.pin;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.metrics.Metrics;
import io.ifpin.metrics.RuleStats;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.rules.CallerLookup;
import org.junit.jupiter.api.Test;

import java.io.FileDescriptor;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Allow, deny, fail-closed, default-action and callers against a fake kernel (issue 6). */
class PinnerPolicyTest {

    private final PinnerTest.FakeSockets sockets = new PinnerTest.FakeSockets();
    private final Metrics metrics = new Metrics();
    private String caller = "com.vendor.legacy.Client";
    private final AtomicInteger callerLookups = new AtomicInteger();

    private Pinner pinner(String hocon) throws Exception {
        IfpinConfig config = ConfigLoader.parse(hocon, "policy.conf");
        CallerLookup lookup = () -> {
            callerLookups.incrementAndGet();
            return caller;
        };
        return new Pinner(config, sockets, new ErrorReporter(), new KernelVersion("6.1.0"), AsyncRouteChecker.DISABLED,
                metrics, null, lookup);
    }

    private static FileDescriptor fd(int value) throws Exception {
        return PinnerTest.fd(value);
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    private static final String RULES = """
            ifpin.rules = [
              { name = no-meta, cidrs = ["203.0.113.7"], action = deny }
              { name = carve-out, cidrs = ["198.51.100.0/24"], action = allow }
              { name = storage, cidrs = ["192.0.2.0/24", "198.51.100.0/24"], interface = b0 }
              { name = strict, cidrs = ["203.0.113.30"], interface = nosuch0, on-error = fail-closed }
              { name = lenient, cidrs = ["203.0.113.31"], interface = nosuch0 }
            ]
            """;

    @Test
    void aDenyRuleRefusesTcpWithAConnectExceptionNamingTheRuleAndTouchesNothing() throws Exception {
        Pinner pinner = pinner(RULES);
        ConnectException e = assertThrows(ConnectException.class,
                () -> pinner.beforeTcpConnect(fd(7), ip("203.0.113.7"), 80));
        assertEquals("ifpin refused TCP to 203.0.113.7:80: rule 'no-meta' (policy.conf:2), action = deny",
                e.getMessage());
        assertEquals(List.of(), sockets.calls, "no getsockopt/setsockopt for a denied socket");
        assertEquals(1, metrics.stats("no-meta").deniedCount());
        assertEquals(1, metrics.stats("no-meta").matched());
    }

    @Test
    void aDenyRuleRefusesUdpWithASocketException() throws Exception {
        Pinner pinner = pinner(RULES);
        SocketException e = assertThrows(SocketException.class,
                () -> pinner.beforeUdpSend(fd(7), ip("203.0.113.7"), 53));
        assertFalse(e instanceof ConnectException, "UDP has no connection to refuse");
        assertTrue(e.getMessage().startsWith("ifpin refused UDP to 203.0.113.7:53: rule 'no-meta'"), e.getMessage());
    }

    @Test
    void anAllowRuleStopsMatchingBeforeABroaderPinRule() throws Exception {
        Pinner pinner = pinner(RULES);
        pinner.beforeTcpConnect(fd(7), ip("198.51.100.10"), 443);
        assertEquals(List.of(), sockets.calls);
        assertEquals(1, metrics.stats("carve-out").allowedCount());
        assertEquals(0, metrics.stats("storage").matched());
        pinner.beforeTcpConnect(fd(8), ip("192.0.2.10"), 443);
        assertEquals("b0", sockets.bound.get(8));
        assertEquals(1, metrics.stats("storage").pinnedCount());
    }

    @Test
    void failClosedRefusesWhenTheInterfaceIsMissing() throws Exception {
        sockets.failWith = Errno.ENODEV;
        Pinner pinner = pinner(RULES);
        ConnectException e = assertThrows(ConnectException.class,
                () -> pinner.beforeTcpConnect(fd(7), ip("203.0.113.30"), 7000));
        assertTrue(e.getMessage().contains("rule 'strict'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("on-error = fail-closed, cannot pin to 'nosuch0': ENODEV"), e.getMessage());
        RuleStats strict = metrics.stats("strict");
        assertEquals(1, strict.errorCount());
        assertEquals(1, strict.refusedCount());
        assertEquals(Map.of("ENODEV", 1L), strict.errorsByErrno());
    }

    @Test
    void failOpenLetsTheSocketProceedAndCountsTheError() throws Exception {
        sockets.failWith = Errno.ENODEV;
        Pinner pinner = pinner(RULES);
        pinner.beforeTcpConnect(fd(7), ip("203.0.113.31"), 7000); // no exception
        assertEquals(1, metrics.stats("lenient").errorCount());
        assertEquals(0, metrics.stats("lenient").refusedCount());
    }

    @Test
    void failClosedRefusesARebindWithoutCapNetRaw() throws Exception {
        Pinner pinner = pinner("ifpin { on-error = fail-closed, rules = ["
                + "{ name = to-a, cidrs = [\"192.0.2.10\"], interface = a0 },"
                + "{ name = to-b, cidrs = [\"192.0.2.20\"], interface = b0 } ] }");
        pinner.beforeUdpSend(fd(9), ip("192.0.2.10"), 53);
        sockets.failWith = Errno.EPERM;
        SocketException e = assertThrows(SocketException.class,
                () -> pinner.beforeUdpSend(fd(9), ip("192.0.2.20"), 53));
        assertTrue(e.getMessage().contains("rule 'to-b'") && e.getMessage().contains("EPERM"), e.getMessage());
        assertEquals("a0", sockets.bound.get(9), "the first binding stays");
    }

    @Test
    void failClosedAlsoCoversInternalErrors() throws Exception {
        PinnerTest.FakeSockets broken = new PinnerTest.FakeSockets() {
            @Override
            public void bindToDevice(int fd, String interfaceName) {
                throw new IllegalStateException("a bug in ifpin");
            }
        };
        IfpinConfig config = ConfigLoader.parse("ifpin.rules = [{ name = strict, cidrs = [\"192.0.2.0/24\"],"
                + " interface = b0, on-error = fail-closed }, { name = lenient, cidrs = [\"198.51.100.0/24\"],"
                + " interface = b0 }]", "policy.conf");
        Pinner pinner = new Pinner(config, broken, new ErrorReporter(), new KernelVersion("6.1.0"),
                AsyncRouteChecker.DISABLED, metrics, null, CallerLookup.UNKNOWN);
        ConnectException e = assertThrows(ConnectException.class,
                () -> pinner.beforeTcpConnect(fd(7), ip("192.0.2.10"), 80));
        assertTrue(e.getMessage().contains("internal error java.lang.IllegalStateException"), e.getMessage());
        assertEquals(Map.of("internal", 1L), metrics.stats("strict").errorsByErrno());
        // Fail-open: the bug goes to the bridge, which reports it and lets the socket proceed.
        assertThrows(IllegalStateException.class, () -> pinner.beforeTcpConnect(fd(8), ip("198.51.100.10"), 80));
    }

    @Test
    void defaultActionDenyRefusesWhatNoRuleMatches() throws Exception {
        Pinner pinner = pinner("ifpin { default-action = deny, rules = ["
                + "{ name = storage, cidrs = [\"192.0.2.0/24\"], interface = b0 } ] }");
        pinner.beforeTcpConnect(fd(7), ip("192.0.2.10"), 80);
        assertEquals("b0", sockets.bound.get(7));
        ConnectException e = assertThrows(ConnectException.class,
                () -> pinner.beforeTcpConnect(fd(8), ip("203.0.113.10"), 80));
        assertEquals("ifpin refused TCP to 203.0.113.10:80: rule '(default)' (policy.conf:1), action = deny",
                e.getMessage());
        assertEquals(1, metrics.stats("(default)").deniedCount());
    }

    @Test
    void defaultActionPinPinsWhatNoRuleMatches() throws Exception {
        Pinner pinner = pinner("ifpin { default-action = pin, default-interface = a0, rules = ["
                + "{ name = storage, cidrs = [\"192.0.2.0/24\"], interface = b0 } ] }");
        pinner.beforeTcpConnect(fd(7), ip("203.0.113.10"), 80);
        pinner.beforeTcpConnect(fd(8), ip("2001:db8:f::10"), 80);
        assertEquals("a0", sockets.bound.get(7));
        assertEquals("a0", sockets.bound.get(8));
        assertEquals(2, metrics.stats("(default)").pinnedCount());
    }

    @Test
    void callersScopeARuleToTheClassThatOpenedTheSocket() throws Exception {
        Pinner pinner = pinner("ifpin.rules = ["
                + "{ name = legacy, cidrs = [\"192.0.2.0/24\"], interface = b0, callers = [\"com.vendor.legacy.*\"] },"
                + "{ name = jdbc, cidrs = [\"192.0.2.0/24\"], interface = a0, callers = [\"org.postgresql.*\"] },"
                + "{ name = plain, cidrs = [\"198.51.100.0/24\"], interface = a0 } ]");
        pinner.beforeTcpConnect(fd(7), ip("192.0.2.10"), 80);
        assertEquals("b0", sockets.bound.get(7));
        caller = "org.postgresql.core.PGStream";
        pinner.beforeTcpConnect(fd(8), ip("192.0.2.10"), 5432);
        assertEquals("a0", sockets.bound.get(8));
        caller = "com.acme.Other";
        callerLookups.set(0);
        pinner.beforeTcpConnect(fd(9), ip("192.0.2.10"), 80);
        assertFalse(sockets.bound.containsKey(9), "no rule for this caller");
        assertEquals(1, callerLookups.get(), "the stack is looked at once per socket, however many rules have callers");
        callerLookups.set(0);
        pinner.beforeTcpConnect(fd(10), ip("198.51.100.10"), 80);
        assertEquals(0, callerLookups.get(), "no stack walk for a socket that no rule with callers matches");
    }

    @Test
    void applySwapsTheRulesForLaterSockets() throws Exception {
        Pinner pinner = pinner(RULES);
        pinner.apply(ConfigLoader.parse("ifpin.rules = [{ name = storage, cidrs = [\"203.0.113.7\"], interface = a0 }]",
                "policy.conf"));
        pinner.beforeTcpConnect(fd(7), ip("203.0.113.7"), 80); // was denied before the reload
        assertEquals("a0", sockets.bound.get(7));
        assertEquals(1, metrics.stats("storage").pinnedCount(), "counters are kept per rule name");
    }

    @Test
    void everyDecisionCountsOnceInMatchedAndOnceInItsResult() throws Exception {
        Pinner pinner = pinner(RULES);
        pinner.beforeTcpConnect(fd(1), ip("192.0.2.10"), 80);
        pinner.beforeTcpConnect(fd(1), ip("192.0.2.10"), 80); // already pinned: still a decision
        pinner.beforeTcpConnect(fd(2), ip("203.0.113.99"), 80); // default allow
        RuleStats storage = metrics.stats("storage");
        assertEquals(2, storage.matched());
        assertEquals(2, storage.pinnedCount());
        RuleStats byDefault = metrics.stats("(default)");
        assertEquals(1, byDefault.matched());
        assertEquals(1, byDefault.allowedCount());
        assertSame(storage, metrics.snapshot().get("storage"));
    }
}
