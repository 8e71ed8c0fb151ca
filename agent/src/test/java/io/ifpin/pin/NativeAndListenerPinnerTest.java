package io.ifpin.pin;

import io.ifpin.audit.AuditLog;
import io.ifpin.config.AuditSettings;
import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.metrics.Metrics;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import io.ifpin.rules.CallerLookup;
import io.ifpin.rules.RuleSet;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The int-descriptor entry points: native transports (protocol from SO_TYPE) and listeners (inbound rules). */
class NativeAndListenerPinnerTest {

    /** A kernel of sockets: type and local address per fd, bindings remembered, every call recorded. */
    static final class Sockets implements SocketOptions {
        final Map<Integer, Integer> types = new HashMap<>();
        final Map<Integer, InetSocketAddress> locals = new HashMap<>();
        final Map<Integer, String> bound = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public String boundDevice(int fd) {
            calls.add("get " + fd);
            return bound.getOrDefault(fd, "");
        }

        /** Interfaces that do not exist: binding to them fails with ENODEV. */
        final Set<String> missing = new HashSet<>();

        @Override
        public void bindToDevice(int fd, String interfaceName) throws ErrnoException {
            calls.add("set " + fd + " " + interfaceName);
            if (missing.contains(interfaceName)) {
                throw new ErrnoException("setsockopt", Errno.ENODEV);
            }
            bound.put(fd, interfaceName);
        }

        @Override
        public String localAddress(int fd) {
            return "?";
        }

        @Override
        public List<String> interfaceNames() {
            return List.of("lo", "a0", "b0");
        }

        @Override
        public int socketType(int fd) throws ErrnoException {
            calls.add("type " + fd);
            Integer type = types.get(fd);
            if (type == null) {
                throw new ErrnoException("getsockopt(SO_TYPE)", Errno.EBADF);
            }
            return type;
        }

        @Override
        public InetSocketAddress localSocketAddress(int fd) {
            return locals.get(fd);
        }
    }

    private final Sockets sockets = new Sockets();

    private Pinner pinner(String rules) throws Exception {
        RuleSet ruleSet = ConfigLoader.parse("ifpin.rules = [" + rules + "]", "test.conf").rules();
        return new Pinner(ruleSet, sockets, new ErrorReporter(), new KernelVersion("6.1.0"));
    }

    @Test
    void nativeConnectAsksTheKernelForTheProtocolAndPins() throws Exception {
        Pinner pinner = pinner("{ name = tcp-only, cidrs = [\"203.0.113.10/32\"], protocols = [tcp], interface = b0 }");
        sockets.types.put(5, SocketOptions.SOCK_STREAM);
        sockets.types.put(6, SocketOptions.SOCK_DGRAM);
        pinner.beforeNativeConnectOrSend(5, InetAddress.getByName("203.0.113.10"), 443);
        pinner.beforeNativeConnectOrSend(6, InetAddress.getByName("203.0.113.10"), 443);
        assertEquals(List.of("type 5", "set 5 b0", "type 6"), sockets.calls); // TCP sets first, as for the JDK
    }

    @Test
    void nativeSendToAnUnmatchedDestinationCostsNoSystemCall() throws Exception {
        Pinner pinner = pinner("{ cidrs = [\"203.0.113.10/32\"], interface = b0 }");
        pinner.beforeNativeConnectOrSend(5, InetAddress.getByName("192.0.2.99"), 53);
        assertEquals(List.of(), sockets.calls);
    }

    @Test
    void nativeDescriptorThatIsNotAStreamOrDatagramSocketIsLeftAlone() throws Exception {
        Pinner pinner = pinner("{ cidrs = [\"203.0.113.10/32\"], interface = b0 }");
        sockets.types.put(5, 3); // SOCK_RAW
        pinner.beforeNativeConnectOrSend(5, InetAddress.getByName("203.0.113.10"), 53);
        pinner.beforeNativeConnectOrSend(7, InetAddress.getByName("203.0.113.10"), 53); // closed: EBADF
        assertEquals(List.of("type 5", "type 7"), sockets.calls);
    }

    /** The fields of Netty epoll's NativeDatagramPacket that ifpin reads (same names, as Netty 4.1 and 4.2 have). */
    @SuppressWarnings("unused")
    static final class NativeDatagramPacket {
        private final byte[] recipientAddr = new byte[16];
        private int recipientAddrLen;
        private int recipientPort;

        NativeDatagramPacket(String ip, int port) throws Exception {
            if (ip != null) {
                byte[] bytes = InetAddress.getByName(ip).getAddress();
                if (bytes.length == 4) { // Netty stores IPv4 as an IPv4-mapped IPv6 address
                    recipientAddr[10] = (byte) 0xff;
                    recipientAddr[11] = (byte) 0xff;
                    System.arraycopy(bytes, 0, recipientAddr, 12, 4);
                } else {
                    System.arraycopy(bytes, 0, recipientAddr, 0, 16);
                }
                recipientAddrLen = 16;
                recipientPort = port;
            }
        }
    }

    @Test
    void batchOfDatagramsIsPinnedPerDestinationWithinOffsetAndCount() throws Exception {
        Pinner pinner = pinner("{ name = v4, cidrs = [\"203.0.113.10/32\"], interface = b0 },"
                + "{ name = v6, cidrs = [\"2001:db8:f::/48\"], interface = b0 }");
        Object[] packets = {new NativeDatagramPacket("192.0.2.99", 1), new NativeDatagramPacket("203.0.113.10", 53),
                new NativeDatagramPacket(null, 0), new NativeDatagramPacket("2001:db8:f::10", 53),
                new NativeDatagramPacket("203.0.113.10", 53)};
        pinner.beforeNativeSendBatch(5, packets, 1, 3); // the last packet is outside the batch
        assertEquals(List.of("get 5", "set 5 b0", "get 5"), sockets.calls);
    }

    @Test
    void batchOfObjectsWithoutNettysFieldsIsReportedNotCovered() throws Exception {
        ErrorReporter reporter = new ErrorReporter();
        Pinner pinner = new Pinner(ConfigLoader.parse("ifpin.rules = [{ cidrs = [\"0.0.0.0/0\"], interface = b0 }]",
                "test.conf").rules(), sockets, reporter, new KernelVersion("6.1.0"));
        pinner.beforeNativeSendBatch(5, new Object[] {"not a packet"}, 0, 1);
        assertEquals(List.of(), sockets.calls);
        assertEquals(1, reporter.count("netty sendmmsg unreadable java.lang.String"));
    }

    @Test
    void outboundRulesNeverPinListenersAndInboundRulesNeverPinConnects() throws Exception {
        Pinner pinner = pinner("{ name = out, cidrs = [\"0.0.0.0/0\", \"::/0\"], interface = a0 },"
                + "{ name = in, direction = inbound, ports = [8443], interface = b0 }");
        sockets.locals.put(5, new InetSocketAddress(InetAddress.getByName("::"), 8443));
        sockets.locals.put(6, new InetSocketAddress(InetAddress.getByName("::"), 8080));
        pinner.beforeNativeListen(5);
        pinner.beforeNativeListen(6); // port not in the inbound rule
        pinner.decide(7, InetAddress.getByName("198.51.100.1"), 8443, io.ifpin.rules.Protocol.TCP);
        assertEquals(List.of("get 5", "set 5 b0", "set 7 a0"), sockets.calls); // TCP connects set first
    }

    @Test
    void inboundRuleWithCidrsMatchesTheListenersLocalAddress() throws Exception {
        Pinner pinner = pinner("{ name = in, direction = inbound, cidrs = [\"198.51.100.0/24\"], interface = b0 }");
        sockets.locals.put(5, new InetSocketAddress(InetAddress.getByName("198.51.100.2"), 9000));
        sockets.locals.put(6, new InetSocketAddress(InetAddress.getByName("192.0.2.2"), 9000));
        sockets.locals.put(7, new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 9000)); // wildcard: not in it
        for (int fd = 5; fd <= 8; fd++) {
            pinner.beforeNativeListen(fd); // 8: not an IP socket (no local address)
        }
        assertEquals(List.of("get 5", "set 5 b0"), sockets.calls);
    }

    @Test
    void aFailClosedInboundRuleRefusesTheListenAndListenersAreCountedAndAudited() throws Exception {
        sockets.missing.add("mgmt0");
        Path auditFile = Files.createTempFile("ifpin-listener-audit", ".jsonl");
        AuditLog audit = AuditLog.start(new AuditSettings(
                Optional.of(auditFile), 1 << 20, 1, 100));
        Metrics metrics = new Metrics();
        IfpinConfig config = ConfigLoader.parse("ifpin.rules = ["
                + "{ name = strict, direction = inbound, ports = [8443], interface = mgmt0, on-error = fail-closed },"
                + "{ name = lenient, direction = inbound, ports = [8080], interface = mgmt0 },"
                + "{ name = fine, direction = inbound, ports = [9000], interface = b0 } ]", "test.conf");
        Pinner pinner = new Pinner(config, sockets, new ErrorReporter(), new KernelVersion("6.1.0"),
                AsyncRouteChecker.DISABLED, metrics, audit, CallerLookup.UNKNOWN);
        sockets.locals.put(5, new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 8443));
        sockets.locals.put(6, new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 8080));
        sockets.locals.put(7, new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 9000));
        SocketException refused = assertThrows(
                SocketException.class, () -> pinner.beforeNativeListen(5));
        assertEquals("ifpin refused to listen on 0.0.0.0:8443: rule 'strict' (test.conf:1), on-error = fail-closed,"
                + " cannot pin to 'mgmt0': ENODEV", refused.getMessage());
        pinner.beforeNativeListen(6); // fail-open: proceeds unpinned
        pinner.beforeNativeListen(7);
        assertEquals(1, metrics.stats("strict").refusedCount());
        assertEquals(1, metrics.stats("lenient").errorCount());
        assertEquals(0, metrics.stats("lenient").refusedCount());
        assertEquals(1, metrics.stats("fine").pinnedCount());
        audit.drainAndClose();
        List<String> lines = Files.readAllLines(auditFile);
        Files.delete(auditFile);
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).endsWith("\"rule\":\"strict\",\"action\":\"pin\","
                + "\"protocol\":\"tcp\",\"local\":\"0.0.0.0:8443\",\"remote\":null,\"host\":null,"
                + "\"interface\":\"mgmt0\",\"result\":\"refused\",\"errno\":\"ENODEV\"}"), lines.get(0));
        assertTrue(lines.get(2).contains("\"result\":\"pinned\""), lines.get(2));
    }

    @Test
    void listenerAlreadyOnTheInterfaceIsNotSetAgain() throws Exception {
        Pinner pinner = pinner("{ name = in, direction = inbound, ports = [\"9000-9010\"], interface = b0 }");
        sockets.locals.put(5, new InetSocketAddress(InetAddress.getByName("::"), 9001));
        sockets.bound.put(5, "b0");
        pinner.beforeNativeListen(5);
        assertEquals(List.of("get 5"), sockets.calls);
    }
}
