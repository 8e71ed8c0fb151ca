package io.ifpin.pin;

import io.ifpin.config.ConfigLoader;
import io.ifpin.log.LogCapture;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import io.ifpin.rules.Protocol;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 16: a rule's mark and source address, set in the pin hook, against a fake kernel. */
class PinnerSteeringTest {

    /** PinnerTest's fake plus marks, local bindings and binds; fails the chosen call with the chosen errno. */
    static final class SteeringSockets extends PinnerTest.FakeSockets {
        final Map<Integer, Integer> marks = new HashMap<>();
        final Map<Integer, Integer> local = new HashMap<>();
        int family = SocketOptions.AF_INET6; // the JDK's dual-stack sockets
        int markFails;
        int bindFails;

        @Override
        public int mark(int fd) {
            calls.add("getmark " + fd);
            return marks.getOrDefault(fd, 0);
        }

        @Override
        public void setMark(int fd, byte[] mark) throws ErrnoException {
            int value = java.nio.ByteBuffer.wrap(mark).order(java.nio.ByteOrder.nativeOrder()).getInt();
            calls.add("mark " + fd + " " + value);
            if (markFails != 0) {
                throw new ErrnoException("setsockopt(SO_MARK)", markFails);
            }
            marks.put(fd, value);
        }

        @Override
        public int localFamily(int fd) {
            calls.add("getsockname " + fd);
            return local.getOrDefault(fd, family);
        }

        @Override
        public void bindSource(int fd, byte[] sockaddr, boolean noPort) throws ErrnoException {
            calls.add("bind " + fd + " " + (sockaddr.length == 16 ? "in" : sockaddr[18] == (byte) 0xff ? "mapped"
                    : "in6") + (noPort ? " no-port" : ""));
            if (bindFails != 0) {
                throw new ErrnoException("bind", bindFails);
            }
            local.put(fd, family | SocketOptions.LOCAL_BOUND);
        }
    }

    private final SteeringSockets sockets = new SteeringSockets();
    private final ErrorReporter reporter = new ErrorReporter();

    private Pinner pinner(String rules) throws Exception {
        return new Pinner(ConfigLoader.parse("ifpin.rules = [" + rules + "]", "steer.conf").rules(), sockets,
                reporter, new KernelVersion("6.1.0"));
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void aTcpConnectGetsInterfaceMarkAndSourceWithoutAPortOfItsOwn() throws Exception {
        pinner("{ name = all, cidrs = [\"203.0.113.0/24\"], interface = b0, mark = 16, source = \"198.51.100.7\" }")
                .beforeTcpConnect(PinnerTest.fd(7), ip("203.0.113.10"), 7000);
        assertEquals(List.of("set 7 b0", "mark 7 16", "getsockname 7", "bind 7 mapped no-port"), sockets.calls);
    }

    @Test
    void anIpv4SocketGetsASockaddrInAndAnIpv6DestinationItsIpv6Source() throws Exception {
        Pinner pinner = pinner("{ cidrs = [\"203.0.113.0/24\", \"2001:db8:f::/64\"],"
                + " source = [\"198.51.100.7\", \"2001:db8:b::7\"] }");
        sockets.family = SocketOptions.AF_INET;
        pinner.beforeTcpConnect(PinnerTest.fd(7), ip("203.0.113.10"), 7000);
        sockets.family = SocketOptions.AF_INET6;
        pinner.beforeTcpConnect(PinnerTest.fd(8), ip("2001:db8:f::10"), 7000);
        assertEquals(List.of("getsockname 7", "bind 7 in no-port", "getsockname 8", "bind 8 in6 no-port"),
                sockets.calls);
    }

    @Test
    void aRuleWithoutSourceOrMarkMakesTheSameCallsAsBefore() throws Exception {
        pinner("{ cidrs = [\"203.0.113.0/24\"], interface = b0 }").beforeTcpConnect(PinnerTest.fd(7),
                ip("203.0.113.10"), 7000);
        assertEquals(List.of("set 7 b0"), sockets.calls);
    }

    @Test
    void aSocketTheApplicationBoundKeepsItsBinding() throws Exception {
        sockets.local.put(7, SocketOptions.AF_INET6 | SocketOptions.LOCAL_BOUND);
        pinner("{ cidrs = [\"203.0.113.0/24\"], source = \"198.51.100.7\" }").beforeTcpConnect(PinnerTest.fd(7),
                ip("203.0.113.10"), 7000);
        assertEquals(List.of("getsockname 7"), sockets.calls);
    }

    @Test
    void theJdksUdpSocketsAreNeverBoundButGetTheirMarkOnce() throws Exception {
        LogCapture log = LogCapture.start();
        Pinner pinner = pinner("{ name = udp, cidrs = [\"203.0.113.0/24\"], mark = 16, source = \"198.51.100.7\" }");
        pinner.beforeUdpSend(PinnerTest.fd(7), ip("203.0.113.10"), 7000);
        pinner.beforeUdpSend(PinnerTest.fd(7), ip("203.0.113.10"), 7000);
        assertEquals(List.of("getmark 7", "mark 7 16", "getmark 7"), sockets.calls);
        assertEquals(1, log.lines().stream().filter(l -> l.contains("rule 'udp'") && l.contains("JDK's UDP sockets"))
                .count(), log.lines().toString());
    }

    @Test
    void nettysUdpChannelsAreBoundWithAPort() throws Exception {
        pinner("{ cidrs = [\"203.0.113.0/24\"], protocols = [udp], source = \"198.51.100.7\" }")
                .decide(7, ip("203.0.113.10"), 7000, Protocol.UDP);
        assertEquals(List.of("getsockname 7", "bind 7 mapped"), sockets.calls);
    }

    @Test
    void epermForAMarkNamesTheCapabilityAndIsReportedOnce() throws Exception {
        LogCapture log = LogCapture.start();
        sockets.markFails = Errno.EPERM;
        Pinner pinner = pinner("{ name = marked, cidrs = [\"203.0.113.0/24\"], mark = 16 }");
        for (int fd = 7; fd < 10; fd++) {
            pinner.beforeTcpConnect(PinnerTest.fd(fd), ip("203.0.113.10"), 7000); // fail-open: no exception
        }
        List<String> errors = log.lines().stream().filter(l -> l.startsWith("[ifpin] ERROR")).toList();
        assertEquals(1, errors.size(), errors.toString());
        String line = errors.get(0);
        for (String token : List.of("rule 'marked' (steer.conf:1)", "mark 16 (0x10)", "EPERM", "CAP_NET_ADMIN",
                "AmbientCapabilities=CAP_NET_ADMIN", "securityContext.capabilities.add: [\"NET_ADMIN\"]",
                "203.0.113.10:7000", "proceeds without the mark (fail-open)")) {
            assertTrue(line.contains(token), token + " not in " + line);
        }
        assertEquals(3, reporter.count("rule 'marked': EPERM setting mark 16 (0x10)"));
    }

    @Test
    void failClosedRefusesASocketWhoseMarkFails() throws Exception {
        sockets.markFails = Errno.EPERM;
        Pinner pinner = pinner("{ name = strict, cidrs = [\"203.0.113.0/24\"], mark = 16, on-error = fail-closed }");
        ConnectException refused = assertThrows(ConnectException.class,
                () -> pinner.beforeTcpConnect(PinnerTest.fd(7), ip("203.0.113.10"), 7000));
        assertTrue(refused.getMessage().contains("cannot set mark 16 (0x10): EPERM"), refused.getMessage());
    }

    @Test
    void aSourceThatIsNotLocalIsNamed() throws Exception {
        LogCapture log = LogCapture.start();
        sockets.bindFails = Errno.EADDRNOTAVAIL;
        pinner("{ name = floating, cidrs = [\"203.0.113.0/24\"], source = \"198.51.100.7\" }")
                .beforeTcpConnect(PinnerTest.fd(7), ip("203.0.113.10"), 7000);
        String line = log.lines().stream().filter(l -> l.startsWith("[ifpin] ERROR")).findFirst().orElseThrow();
        for (String token : List.of("rule 'floating'", "EADDRNOTAVAIL", "198.51.100.7 is not an address of this host",
                "ip addr add 198.51.100.7/32 dev", "Fix:", "route gives (fail-open)")) {
            assertTrue(line.contains(token), token + " not in " + line);
        }
    }
}
