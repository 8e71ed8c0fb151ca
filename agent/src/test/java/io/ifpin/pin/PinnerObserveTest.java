package io.ifpin.pin;

import io.ifpin.audit.AuditLog;
import io.ifpin.config.AuditSettings;
import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.log.LogCapture;
import io.ifpin.metrics.Metrics;
import io.ifpin.rules.CallerLookup;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ifpin.mode = observe} (issue 17): every decision made, counted and audited, no socket touched. */
class PinnerObserveTest {

    private static final String RULES = """
            ifpin {
              %s
              default-action = deny
              rules = [
                { name = no-meta, cidrs = ["203.0.113.7"], action = deny }
                { name = carve-out, cidrs = ["198.51.100.0/24"], action = allow }
                { name = storage, cidrs = ["192.0.2.0/24"], interface = b0, on-error = fail-closed }
                { name = gone, cidrs = ["203.0.113.30"], interface = nosuch0, on-error = fail-closed }
                { name = in, direction = inbound, ports = [8443], interface = b0 }
              ]
            }
            """;

    private final PinnerTest.FakeSockets sockets = new PinnerTest.FakeSockets();
    private final Metrics metrics = new Metrics();

    private Pinner pinner(String mode, AuditLog audit) throws Exception {
        IfpinConfig config = ConfigLoader.parse(RULES.formatted(mode), "observe.conf");
        return new Pinner(config, sockets, new ErrorReporter(), new KernelVersion("6.1.0"),
                AsyncRouteChecker.DISABLED, metrics, audit, CallerLookup.UNKNOWN);
    }

    @Test
    void observeModeDecidesCountsAndAuditsEverySocketAndTouchesNone() throws Exception {
        Path file = Files.createTempFile("ifpin-observe", ".jsonl");
        AuditLog audit = AuditLog.start(new AuditSettings(Optional.of(file), 1 << 20, 1, 100));
        Pinner pinner = pinner("mode = observe", audit);
        LogCapture log = LogCapture.start();
        {
            pinner.beforeTcpConnect(PinnerTest.fd(7), InetAddress.getByName("203.0.113.7"), 80); // deny: not thrown
            pinner.beforeUdpSend(PinnerTest.fd(8), InetAddress.getByName("192.0.2.5"), 53);
            pinner.beforeTcpConnect(PinnerTest.fd(9), InetAddress.getByName("203.0.113.30"), 443); // no interface
            pinner.beforeTcpConnect(PinnerTest.fd(10), InetAddress.getByName("198.51.100.1"), 443);
            pinner.beforeTcpConnect(PinnerTest.fd(11), InetAddress.getByName("203.0.113.99"), 443); // default deny
            String text = String.join("\n", log.lines());
            assertTrue(text.contains("observe mode: rule 'no-meta' (observe.conf:5) would deny TCP socket"
                    + " 192.0.2.2:40000 -> 203.0.113.7:80; the socket proceeds untouched"), text);
        }
        assertEquals(List.of(), sockets.calls, "no getsockopt or setsockopt in observe mode");
        assertEquals(1, metrics.stats("no-meta").deniedCount());
        assertEquals(1, metrics.stats("storage").pinnedCount());
        assertEquals(1, metrics.stats("carve-out").allowedCount());
        assertEquals(1, metrics.stats("(default)").deniedCount());
        audit.drainAndClose();
        List<String> lines = Files.readAllLines(file);
        Files.delete(file);
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("\"rule\":\"no-meta\",\"action\":\"deny\"") && lines.get(0).contains(
                "\"result\":\"would-deny\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"interface\":\"b0\",\"result\":\"would-pin\",\"errno\":null"),
                lines.get(1));
        assertTrue(lines.get(2).contains("\"interface\":\"nosuch0\",\"result\":\"would-pin\""), lines.get(2));
        assertTrue(lines.get(3).contains("\"result\":\"would-allow\""), lines.get(3));
        assertTrue(lines.get(4).contains("\"rule\":\"(default)\"") && lines.get(4).contains("would-deny"),
                lines.get(4));
    }

    @Test
    void observeModeLeavesListenersUnpinnedAndCountsThem() throws Exception {
        NativeAndListenerPinnerTest.Sockets listeners = new NativeAndListenerPinnerTest.Sockets();
        listeners.locals.put(5, new java.net.InetSocketAddress(InetAddress.getByName("0.0.0.0"), 8443));
        IfpinConfig config = ConfigLoader.parse(RULES.formatted("mode = observe"), "observe.conf");
        Pinner pinner = new Pinner(config, listeners, new ErrorReporter(), new KernelVersion("6.1.0"),
                AsyncRouteChecker.DISABLED, metrics, null, CallerLookup.UNKNOWN);
        pinner.beforeNativeListen(5);
        assertEquals(List.of(), listeners.calls, "no getsockopt or setsockopt for a listener in observe mode");
        assertEquals(1, metrics.stats("in").pinnedCount());
    }

    @Test
    void observeModeLeavesNativeTransportSocketsAloneToo() throws Exception {
        NativeAndListenerPinnerTest.Sockets natives = new NativeAndListenerPinnerTest.Sockets();
        natives.types.put(5, io.ifpin.os.SocketOptions.SOCK_STREAM);
        IfpinConfig config = ConfigLoader.parse(RULES.formatted("mode = observe"), "observe.conf");
        Pinner pinner = new Pinner(config, natives, new ErrorReporter(), new KernelVersion("6.1.0"),
                AsyncRouteChecker.DISABLED, metrics, null, CallerLookup.UNKNOWN);
        pinner.beforeNativeConnectOrSend(5, InetAddress.getByName("203.0.113.7"), 80); // deny: not thrown
        pinner.beforeNativeConnectOrSend(5, InetAddress.getByName("192.0.2.9"), 80); // pin: not pinned
        assertEquals(List.of("type 5", "type 5"), natives.calls, "SO_TYPE is read to decide TCP or UDP; no"
                + " getsockopt(SO_BINDTODEVICE), no setsockopt");
        assertEquals(1, metrics.stats("no-meta").deniedCount());
        assertEquals(1, metrics.stats("storage").pinnedCount());
    }

    @Test
    void reloadingToEnforceEnforcesAgain() throws Exception {
        Pinner pinner = pinner("mode = observe", null);
        pinner.beforeTcpConnect(PinnerTest.fd(7), InetAddress.getByName("203.0.113.7"), 80);
        pinner.apply(ConfigLoader.parse(RULES.formatted("mode = enforce"), "observe.conf"));
        assertThrows(java.net.ConnectException.class,
                () -> pinner.beforeTcpConnect(PinnerTest.fd(7), InetAddress.getByName("203.0.113.7"), 80));
        pinner.beforeTcpConnect(PinnerTest.fd(8), InetAddress.getByName("192.0.2.5"), 443);
        assertEquals(List.of("set 8 b0"), sockets.calls);
    }
}
