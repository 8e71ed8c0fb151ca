package io.ifpin.pin;

import io.ifpin.config.ConfigLoader;
import io.ifpin.log.LogCapture;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pinning decision against a fake kernel: what is read, what is set, and what the operator is told. */
class PinnerTest {

    private static final String DELETED = "deleted";

    /** Records calls; fails bindToDevice with a chosen errno; remembers bindings per fd like the kernel does. */
    static class FakeSockets implements SocketOptions {
        final Map<Integer, String> bound = new HashMap<>();
        final List<String> calls = new ArrayList<>();
        int failWith;

        @Override
        public String boundDevice(int fd) throws ErrnoException {
            calls.add("get " + fd);
            String name = bound.getOrDefault(fd, "");
            if (name.equals(DELETED)) {
                throw new ErrnoException("getsockopt", Errno.ENODEV); // what sock_getbindtodevice says then
            }
            return name;
        }

        @Override
        public void bindToDevice(int fd, String interfaceName) throws ErrnoException {
            calls.add("set " + fd + " " + interfaceName);
            if (failWith != 0) {
                throw new ErrnoException("setsockopt", failWith);
            }
            bound.put(fd, interfaceName);
        }

        @Override
        public String localAddress(int fd) {
            return "192.0.2.2:40000";
        }

        @Override
        public List<String> interfaceNames() {
            return List.of("lo", "a0", "b0");
        }
    }

    private final FakeSockets sockets = new FakeSockets();
    private final ErrorReporter reporter = new ErrorReporter();

    private static RuleSet rules() throws Exception {
        return ConfigLoader.parse("ifpin.rules = ["
                + "{ name = to-b, cidrs = [\"203.0.113.10/32\"], interface = b0 },"
                + "{ name = to-a, cidrs = [\"203.0.113.20/32\"], protocols = [udp], interface = a0 },"
                + "{ name = gone, cidrs = [\"203.0.113.30/32\"], interface = nosuch0 } ]", "test.conf").rules();
    }

    private Pinner pinner(String kernel) throws Exception {
        return new Pinner(rules(), sockets, reporter, new KernelVersion(kernel));
    }

    /** A FileDescriptor holding {@code value}, as the JDK's socket code passes it. */
    static FileDescriptor fd(int value) throws Exception {
        FileDescriptor fd = new FileDescriptor();
        java.lang.reflect.Field field = FileDescriptor.class.getDeclaredField("fd");
        field.setAccessible(true);
        field.setInt(fd, value);
        return fd;
    }

    private static InetAddress ip(String last) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, (byte) Integer.parseInt(last)});
    }

    @Test
    void bindsAnUnboundSocketToTheRulesInterface() throws Exception {
        pinner("6.1.0").beforeUdpSend(fd(7), ip("10"), 7000);
        assertEquals(List.of("get 7", "set 7 b0"), sockets.calls);
        assertEquals("b0", sockets.bound.get(7));
    }

    @Test
    void aConnectSetsFirstAndReadsOnlyWhenThatFails() throws Exception {
        pinner("6.1.0").beforeTcpConnect(fd(7), ip("10"), 7000);
        assertEquals(List.of("set 7 b0"), sockets.calls); // one system call for the common case
        assertEquals("b0", sockets.bound.get(7));

        // Already bound to b0 without CAP_NET_RAW: the set fails, the read shows it is pinned already: no report.
        sockets.calls.clear();
        sockets.failWith = Errno.EPERM;
        pinner("6.1.0").beforeTcpConnect(fd(7), ip("10"), 7000);
        assertEquals(List.of("set 7 b0", "get 7"), sockets.calls);
        assertEquals(0, reporter.count("rule 'to-b': EPERM pinning to 'b0'"));

        // Bound to another interface: the same EPERM report as the read-first path, naming the current binding.
        sockets.bound.put(8, "a0");
        pinner("6.1.0").beforeTcpConnect(fd(8), ip("10"), 7000);
        assertEquals(1, reporter.count("rule 'to-b': EPERM pinning to 'b0'"));
    }

    @Test
    void leavesASocketThatMatchesNoRuleUntouched() throws Exception {
        pinner("6.1.0").beforeTcpConnect(fd(7), ip("99"), 7000);
        pinner("6.1.0").beforeTcpConnect(fd(7), ip("20"), 7000); // rule to-a is UDP only
        assertEquals(List.of(), sockets.calls);
    }

    @Test
    void skipsTheSetWhenAlreadyBoundToTheWantedInterface() throws Exception {
        // Re-binding, even to the same device, needs CAP_NET_RAW: an unconnected UDP socket sending to one
        // destination again and again must not trigger EPERM on its second send.
        Pinner pinner = pinner("6.1.0");
        pinner.beforeUdpSend(fd(9), ip("10"), 53);
        pinner.beforeUdpSend(fd(9), ip("10"), 53);
        assertEquals(List.of("get 9", "set 9 b0", "get 9"), sockets.calls);
    }

    @Test
    void explainsEpermOnARebindOnceAndCountsTheRepeats() throws Exception {
        sockets.bound.put(9, "b0");
        sockets.failWith = Errno.EPERM;
        Pinner pinner = pinner("6.1.0");
        for (int i = 0; i < 3; i++) {
            pinner.beforeUdpSend(fd(9), ip("20"), 53);
        }
        assertEquals(3, reporter.count("rule 'to-a': EPERM pinning to 'a0'"));
    }

    @Test
    void aSocketBoundToADeletedInterfaceIsBoundAgain() throws Exception {
        // A VPN reconnects: tun0 is deleted and re-created, an old UDP socket keeps the dead ifindex.
        sockets.bound.put(9, DELETED);
        pinner("6.1.0").beforeUdpSend(fd(9), ip("10"), 53);
        assertEquals(List.of("get 9", "set 9 b0"), sockets.calls);
        assertEquals("b0", sockets.bound.get(9));
    }

    @Test
    void aClosedSocketIsIgnored() throws Exception {
        pinner("6.1.0").beforeTcpConnect(new FileDescriptor(), ip("10"), 7000); // fd -1
        assertEquals(List.of(), sockets.calls);
    }

    @Test
    void anInternalErrorIsReportedOnce() throws Exception {
        Pinner pinner = pinner("6.1.0");
        pinner.hookFailed(new IllegalStateException("boom"));
        pinner.hookFailed(new IllegalStateException("boom again"));
        assertEquals(2, reporter.count("internal error java.lang.IllegalStateException"));
    }

    @Test
    void protocolsAreTakenFromTheCallSite() throws Exception {
        // to-a is UDP only: a UDP send matches, a TCP connect to the same address does not.
        Pinner pinner = pinner("6.1.0");
        pinner.beforeTcpConnect(fd(5), ip("20"), 53);
        pinner.beforeUdpSend(fd(6), ip("20"), 53);
        assertEquals(List.of("get 6", "set 6 a0"), sockets.calls);
        assertEquals(Protocol.UDP, rules().rules().get(1).protocols().iterator().next());
    }

    // ---- explain: what the operator is told about a refusal ----

    /** The socket part of docs/troubleshooting.md's message index, as describe() prints it. */
    private static final String SOCKET = "TCP socket [::]:0 -> 203.0.113.10:7000";

    /**
     * A case of {@link #explainTellsTheOperator}: {@code explain} for the rule at {@code rule}, on {@code kernel},
     * for a socket currently bound to {@code current}, refused with {@code errno} by the call {@code call}; then the
     * checks on the message.
     */
    private static Arguments row(String name, int rule, String kernel, String socket, String current, String call,
                                 int errno, Consumer<String> check) {
        return Arguments.of(name, rule, kernel, socket, current, new ErrnoException(call, errno), check);
    }

    private static Arguments row(String name, int rule, String kernel, String socket, String current, int errno,
                                 Consumer<String> check) {
        return row(name, rule, kernel, socket, current, "setsockopt", errno, check);
    }

    private static Consumer<String> is(String expected) {
        return message -> assertEquals(expected, message);
    }

    private static Consumer<String> startsWith(String start) {
        return message -> assertTrue(message.startsWith(start), message);
    }

    private static Consumer<String> endsWith(String end) {
        return message -> assertTrue(message.endsWith(end), message);
    }

    private static Consumer<String> contains(String... fragments) {
        return message -> {
            for (String fragment : fragments) {
                assertTrue(message.contains(fragment), message);
            }
        };
    }

    @SafeVarargs
    private static Consumer<String> all(Consumer<String>... checks) {
        return message -> {
            for (Consumer<String> check : checks) {
                check.accept(message);
            }
        };
    }

    static Stream<Arguments> explanations() {
        return Stream.of(
                row("EPERM rebind: rule, socket, both interfaces, capability, fix", 1, "6.1.0",
                        "UDP socket 192.0.2.2:40000 -> 203.0.113.20:53", "b0", Errno.EPERM, all(
                        startsWith("rule 'to-a' (test.conf:1): cannot pin UDP socket 192.0.2.2:40000 ->"
                                + " 203.0.113.20:53 to interface 'a0': EPERM."),
                        contains("already bound to 'b0'", "CAP_NET_RAW", "AmbientCapabilities=CAP_NET_RAW",
                                "capabilities.add: [NET_RAW]", "not setcap on the java binary"),
                        endsWith("The socket proceeds bound to 'b0' (fail-open)."))),
                row("EPERM on an old kernel: every bind needs the capability", 0, "5.4.0-150-generic", "TCP socket", "",
                        Errno.EPERM, all(
                        contains("older than 5.7", "Linux 5.4.0-150-generic"),
                        endsWith("The socket proceeds unpinned (fail-open)."))),
                row("EPERM unbound on a new kernel: a security policy", 0, "6.1.0", "TCP socket", "", Errno.EPERM,
                        contains("seccomp", "CAP_NET_RAW does not help")),
                row("ENODEV: rule and interface", 2, "6.1.0", "TCP socket 192.0.2.2:0 -> 203.0.113.30:7000", "",
                        Errno.ENODEV,
                        contains("rule 'gone'", "ENODEV", "no interface 'nosuch0' in this network namespace", "Fix:")),
                row("EPERM on a socket bound to a deleted interface", 0, "6.1.0", "UDP socket",
                        Pinner.DELETED_INTERFACE, Errno.EPERM, all(
                        contains("bound to an interface that has since been deleted", "CAP_NET_RAW"),
                        endsWith("its traffic fails with ENODEV."))),
                // The lines of docs/troubleshooting.md's message index, row by row.
                row("guide: EPERM on an old kernel", 0, "5.4.0-150-generic", SOCKET, "", Errno.EPERM,
                        is("rule 'to-b' (test.conf:1): cannot pin " + SOCKET + " to interface 'b0': EPERM. This kernel"
                        + " (Linux 5.4.0-150-generic) is older than 5.7, where every SO_BINDTODEVICE needs CAP_NET_RAW,"
                        + " which this process lacks. Fix: grant the JVM CAP_NET_RAW (systemd:"
                        + " AmbientCapabilities=CAP_NET_RAW; Kubernetes: securityContext.capabilities.add: [NET_RAW];"
                        + " Docker: --cap-add NET_RAW), not setcap on the java binary. The socket proceeds unpinned"
                        + " (fail-open).")),
                row("guide: EPERM from a security policy", 0, "6.18.44-fc-v782", SOCKET, "", Errno.EPERM,
                        is("rule 'to-b' (test.conf:1): cannot pin " + SOCKET + " to interface 'b0': EPERM. The"
                        + " socket is not bound yet, so this kernel (Linux 6.18.44-fc-v782) allows it without"
                        + " CAP_NET_RAW: a security policy refused it (a seccomp filter, an LSM such as SELinux or"
                        + " AppArmor, or a cgroup BPF program). Fix: allow setsockopt(SOL_SOCKET, SO_BINDTODEVICE) in"
                        + " that policy; CAP_NET_RAW does not help against it. The socket proceeds unpinned"
                        + " (fail-open).")),
                row("guide: 5.7 itself already allows the first binding", 0, "5.7.0", SOCKET, "", Errno.EPERM,
                        contains("a security policy refused it")),
                row("guide: EPERM on a socket bound to a deleted interface", 0, "6.1.0", SOCKET,
                        Pinner.DELETED_INTERFACE, Errno.EPERM, all(
                        startsWith("rule 'to-b' (test.conf:1): cannot pin " + SOCKET + " to interface 'b0': EPERM."
                                + " The socket was bound to an interface that has since been deleted (e.g. a VPN"
                                + " interface that was re-created) and binding it again needs CAP_NET_RAW, which this"
                                + " process lacks. Fix: grant the JVM CAP_NET_RAW ("),
                        endsWith("not setcap on the java binary; or reconnect (new sockets are pinned to the new"
                                + " interface). The socket stays bound to the deleted interface, so its traffic fails"
                                + " with ENODEV."))),
                // the call as LinuxSocketsJna names it
                row("guide: any other errno, the kernel refused", 0, "6.1.0", SOCKET, "",
                        "setsockopt(SO_BINDTODEVICE, \"b0\")", Errno.EACCES,
                        is("rule 'to-b' (test.conf:1): cannot pin " + SOCKET + " to interface 'b0': EACCES. The kernel"
                        + " refused: setsockopt(SO_BINDTODEVICE, \"b0\"): EACCES (Permission denied). The socket"
                        + " proceeds unpinned (fail-open).")),
                // an errno ifpin has no name for is printed as a number
                row("guide: an errno without a name", 0, "6.1.0", SOCKET, "", 200,
                        contains("to interface 'b0': errno 200. The kernel refused: ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("explanations")
    void explainTellsTheOperator(String name, int rule, String kernel, String socket, String current,
                                 ErrnoException error, Consumer<String> check) throws Exception {
        Rule pinned = rules().rules().get(rule);
        check.accept(PinMessages.explain(pinned, pinned.interfaceName(), socket, current, error,
                new KernelVersion(kernel)));
    }

    @Test
    void anInternalErrorIsLoggedWithItsTrace() throws Exception {
        LogCapture log = LogCapture.start();
        pinner("6.1.0").hookFailed(new IllegalStateException("boom"));
        java.util.List<String> lines = log.lines();
        assertEquals("[ifpin] ERROR internal error while pinning a socket; the socket proceeds unpinned. Please report"
                + " this with the trace: java.lang.IllegalStateException: boom", lines.get(0));
        assertTrue(lines.get(1).startsWith("[ifpin] ERROR \tat io.ifpin.pin.PinnerTest."), lines.toString());
        assertTrue(lines.get(lines.size() - 1).endsWith("(reported once; repeats are counted)"), lines.toString());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("[ifpin] ERROR ")), lines.toString());
    }
}
