package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.SteerApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Issue 16, in the namespace lab: a rule's {@code mark} makes TCP and UDP, IPv4 and IPv6 leave by the link that the
 * mark's policy routing names ({@code ip rule add fwmark 16 table 100}, whose default route is b0, while the main
 * table's is a0); without CAP_NET_ADMIN the mark fails with an EPERM line naming the capability, and the socket
 * proceeds (fail-open) or is refused (fail-closed); a rule's {@code source} makes the server see that address; all
 * three together; and 10,000 connects with a source do not run out of ephemeral ports where binding the source
 * without {@code IP_BIND_ADDRESS_NO_PORT} does.
 */
class SteerIT {

    private static final String APP = SteerApp.class.getName();
    /** Every way SteerApp opens a socket, both families: leaves by a0 unless steered. */
    private static final String[] ALL_WAYS = {"tcp:203.0.113.10", "udp:203.0.113.10", "netty-udp:203.0.113.10",
            "tcp:2001:db8:f::10", "udp:2001:db8:f::10", "netty-udp:2001:db8:f::10"};
    private static final String SERVICES = "cidrs = [\"203.0.113.10/32\", \"2001:db8:f::10/128\"]";
    /** What setpriv leaves a root JVM: every capability but these two (Linux 5.17+ accepts either for SO_MARK). */
    private static final List<String> WITHOUT_NET_ADMIN = List.of("setpriv", "--inh-caps=-all",
            "--bounding-set=-net_admin,-net_raw");

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("str");
    /** Labs of their own for the 10,000 connects, with few ephemeral ports: with ifpin, and the control. */
    @RegisterExtension
    static final NetnsLab portsLab = NetnsLab.perClass("stp");
    @RegisterExtension
    static final NetnsLab controlLab = NetnsLab.perClass("stc");
    @TempDir
    static Path work;

    @BeforeAll
    static void setUpLabs() {
        fewPorts(portsLab);
        fewPorts(controlLab);
        // Marked sockets: table 100, whose default route is b0 (the main table's is a0).
        lab.runInClient(true, "ip", "rule", "add", "fwmark", "16", "table", "100");
        lab.runInClient(true, "ip", "-6", "rule", "add", "fwmark", "16", "table", "100");
        lab.runInClient(true, "ip", "route", "add", "default", "via", "198.51.100.1", "dev", "b0", "table", "100");
        lab.runInClient(true, "ip", "-6", "route", "add", "default", "via", "2001:db8:b::1", "dev", "b0", "table",
                "100");
        // Source addresses: one more address on each link and family.
        lab.runInClient(true, "ip", "addr", "add", "192.0.2.7/32", "dev", "a0");
        // preferred_lft 0: deprecated, so the kernel's own source selection never picks them; a bind still may.
        lab.runInClient(true, "ip", "-6", "addr", "add", "2001:db8:a::7/128", "dev", "a0", "nodad", "preferred_lft",
                "0");
        lab.runInClient(true, "ip", "addr", "add", "198.51.100.7/32", "dev", "b0");
        lab.runInClient(true, "ip", "-6", "addr", "add", "2001:db8:b::7/128", "dev", "b0", "nodad", "preferred_lft",
                "0");
    }

    @TestFactory
    Stream<DynamicNode> steering() {
        return Stream.concat(Stream.of(TestJdk.values()).map(jdk -> dynamicContainer(jdk.label(), Stream.of(
                        unsteered(jdk), marked(jdk), markWithoutCapability(jdk), sourced(jdk), allThree(jdk)))),
                Stream.of(commandLine(), tenThousandConnects()));
    }

    private ChildResult run(TestJdk jdk, String name, String config, List<String> privileges, String... args) {
        ChildJvm child = ChildJvm.on(jdk).classpath(ItEnv.testClasses(), ItEnv.demoJar()).main(APP, args);
        if (config != null) {
            child.agent(ItEnv.agentJar(), TestFiles.write(work.resolve(jdk.name() + "-" + name + ".conf"),
                    "ifpin {\n  rules = [\n" + config + "\n  ]\n}\n"));
        }
        return child.privileges(privileges).runIn(lab);
    }

    private static void assertPeer(ChildResult result, String way, String peer) {
        String line = result.stdout().stream().filter(l -> l.startsWith(wayPrefix(way))).findFirst().orElse(null);
        assertTrue(line != null && line.startsWith(wayPrefix(way) + "PEER " + peer + " "),
                way + " should be seen from " + peer + ", got: " + line + result.describe());
    }

    /** {@code tcp:203.0.113.10} as SteerApp prints it: {@code tcp 203.0.113.10 }. */
    private static String wayPrefix(String way) {
        int colon = way.indexOf(':');
        return way.substring(0, colon) + " " + way.substring(colon + 1) + " ";
    }

    private static boolean ipv6(String way) {
        return way.indexOf(':') != way.lastIndexOf(':');
    }

    private DynamicNode unsteered(TestJdk jdk) {
        Lazy<ChildResult> run = new Lazy<>(() -> run(jdk, "none", null, List.of(), ALL_WAYS));
        return dynamicTest("[" + jdk.label() + "] control, without ifpin: every socket leaves by a0", () -> {
            for (String way : ALL_WAYS) {
                assertPeer(run.get(), way, ipv6(way) ? "2001:db8:a::2" : "192.0.2.2");
            }
        });
    }

    private DynamicNode marked(TestJdk jdk) {
        String config = "    { name = marked, " + SERVICES + ", mark = 16 },\n"
                + "    { name = unrouted, cidrs = [\"203.0.113.20/32\"], mark = \"0x11\" }";
        String[] ways = Stream.concat(Stream.of(ALL_WAYS), Stream.of("tcp:203.0.113.20")).toArray(String[]::new);
        Lazy<ChildResult> run = new Lazy<>(() -> run(jdk, "mark", config, List.of(), ways));
        String context = "[" + jdk.label() + " mark = 16] ";
        return dynamicContainer("mark: ip rule fwmark 16 table 100 (default via b0)", Stream.of(
                dynamicTest(context + "TCP, UDP and Netty UDP, IPv4 and IPv6, leave by b0", () -> {
                    for (String way : ALL_WAYS) {
                        assertPeer(run.get(), way, ipv6(way) ? "2001:db8:b::2" : "198.51.100.2");
                    }
                    assertTrue(run.get().stderr().stream().noneMatch(l -> l.startsWith("[ifpin] ERROR")),
                            run.get().describe());
                }),
                dynamicTest(context + "a mark no ip rule catches: the socket leaves as unmarked, and a WARN says so",
                        () -> {
                            ChildResult result = run.get();
                            assertPeer(result, "tcp:203.0.113.20", "192.0.2.2");
                            assertTrue(result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] WARN")
                                    && l.contains("rule 'unrouted'") && l.contains("mark 17 (0x11)")
                                    && l.contains("no ip rule catches it") && l.contains("ip rule add fwmark 17")),
                                    result.describe());
                            assertTrue(result.stderr().stream().noneMatch(l -> l.contains("rule 'marked'")
                                    && l.contains("no ip rule catches it")), result.describe());
                        })));
    }

    private DynamicNode markWithoutCapability(TestJdk jdk) {
        String[] ways = {"tcp:203.0.113.10", "udp:203.0.113.10", "tcp:2001:db8:f::10"};
        Lazy<ChildResult> open = new Lazy<>(() -> run(jdk, "mark-eperm", "    { name = marked, " + SERVICES
                + ", mark = 16 }", WITHOUT_NET_ADMIN, ways));
        Lazy<ChildResult> closed = new Lazy<>(() -> run(jdk, "mark-eperm-closed", "    { name = strict, " + SERVICES
                + ", mark = 16, on-error = fail-closed }", WITHOUT_NET_ADMIN, ways));
        String context = "[" + jdk.label() + " mark without CAP_NET_ADMIN] ";
        return dynamicContainer("mark, run without CAP_NET_ADMIN and CAP_NET_RAW", Stream.of(
                dynamicTest(context + "one ERROR: EPERM, the rule, CAP_NET_ADMIN and how systemd and Kubernetes"
                        + " grant it", () -> {
                    ChildResult result = open.get();
                    List<String> reports = result.stderr().stream().filter(l -> l.contains("cannot set mark")).toList();
                    assertEquals(1, reports.size(), result.describe());
                    String line = reports.get(0);
                    for (String token : List.of("[ifpin] ERROR", "rule 'marked'", "mark 16 (0x10)", "EPERM",
                            "CAP_NET_ADMIN", "AmbientCapabilities=CAP_NET_ADMIN",
                            "securityContext.capabilities.add: [\"NET_ADMIN\"]", "fail-open")) {
                        assertTrue(line.contains(token), token + " not in " + line);
                    }
                }),
                dynamicTest(context + "fail-open: the sockets proceed unmarked, by a0", () -> {
                    for (String way : ways) {
                        assertPeer(open.get(), way, ipv6(way) ? "2001:db8:a::2" : "192.0.2.2");
                    }
                }),
                dynamicTest(context + "fail-closed: every socket is refused, naming the rule and EPERM", () -> {
                    ChildResult result = closed.get();
                    for (String way : ways) {
                        String line = result.stdout().stream().filter(l -> l.startsWith(wayPrefix(way))).findFirst()
                                .orElse("");
                        assertTrue(line.contains("FAILED") && line.contains("ifpin refused")
                                && line.contains("rule 'strict'") && line.contains("cannot set mark 16 (0x10): EPERM"),
                                way + ": " + line + result.describe());
                    }
                })));
    }

    private DynamicNode sourced(TestJdk jdk) {
        String[] ways = {"tcp:203.0.113.10", "tcp:2001:db8:f::10", "netty-udp:203.0.113.10",
                "netty-udp:2001:db8:f::10", "udp:203.0.113.10"};
        Lazy<ChildResult> run = new Lazy<>(() -> run(jdk, "source", "    { name = sourced, " + SERVICES
                + ", source = [\"192.0.2.7\", \"2001:db8:a::7\"] }", List.of(), ways));
        String context = "[" + jdk.label() + " source] ";
        return dynamicContainer("source = [192.0.2.7, 2001:db8:a::7]", Stream.of(
                dynamicTest(context + "the server sees the source: TCP and Netty UDP, IPv4 and IPv6", () -> {
                    assertPeer(run.get(), "tcp:203.0.113.10", "192.0.2.7");
                    assertPeer(run.get(), "tcp:2001:db8:f::10", "2001:db8:a::7");
                    assertPeer(run.get(), "netty-udp:203.0.113.10", "192.0.2.7");
                    assertPeer(run.get(), "netty-udp:2001:db8:f::10", "2001:db8:a::7");
                }),
                dynamicTest(context + "the JDK's UDP socket (bound to the wildcard by the JDK) keeps the route's"
                        + " source and works; one INFO line says why", () -> {
                    ChildResult result = run.get();
                    assertPeer(result, "udp:203.0.113.10", "192.0.2.2");
                    assertEquals(1, result.stderr().stream().filter(l -> l.startsWith("[ifpin] INFO")
                            && l.contains("rule 'sourced'") && l.contains("JDK's UDP sockets")).count(),
                            result.describe());
                })));
    }

    private DynamicNode allThree(TestJdk jdk) {
        String[] ways = {"tcp:203.0.113.10", "tcp:2001:db8:f::10", "udp:203.0.113.10", "netty-udp:2001:db8:f::10"};
        Lazy<ChildResult> run = new Lazy<>(() -> run(jdk, "all", "    { name = all, " + SERVICES
                + ", interface = b0, mark = 16, source = [\"198.51.100.7\", \"2001:db8:b::7\"] }", List.of(), ways));
        return dynamicTest("[" + jdk.label() + "] interface b0, mark 16 and source together: by b0, from the"
                + " source (the JDK's UDP socket: by b0, from b0's address)", () -> {
            assertPeer(run.get(), "tcp:203.0.113.10", "198.51.100.7");
            assertPeer(run.get(), "tcp:2001:db8:f::10", "2001:db8:b::7");
            assertPeer(run.get(), "udp:203.0.113.10", "198.51.100.2");
            assertPeer(run.get(), "netty-udp:2001:db8:f::10", "2001:db8:b::7");
            assertTrue(run.get().stderr().stream().noneMatch(l -> l.startsWith("[ifpin] ERROR")),
                    run.get().describe());
        });
    }

    /** explain and check, in the lab: what a socket would get, a mark no ip rule catches, a source not here. */
    private DynamicNode commandLine() {
        String rules = "    { name = marked, cidrs = [\"203.0.113.10/32\"], mark = 16 },\n"
                + "    { name = unrouted, cidrs = [\"203.0.113.20/32\"], mark = 17 },\n"
                + "    { name = elsewhere, cidrs = [\"2001:db8:f::/64\"], interface = b0,"
                + " source = [\"198.51.100.7\", \"2001:db8:b::99\"] }";
        Lazy<Path> config = new Lazy<>(() -> TestFiles.write(work.resolve("cli.conf"),
                "ifpin {\n  rules = [\n" + rules + "\n  ]\n}\n"));
        return dynamicContainer("check and explain", Stream.of(
                dynamicTest("explain: the mark a socket would get, and that an ip rule catches it", () -> {
                    String out = String.join("\n", cli(List.of(), "explain", config.get().toString(), "203.0.113.10",
                            "7000").stdout());
                    assertTrue(out.contains("given mark 16 (0x10) by rule 'marked'")
                            && out.contains("ok: mark 16 (0x10) selects another routing table"), out);
                }),
                dynamicTest("explain: a mark no ip rule catches", () -> {
                    String out = String.join("\n", cli(List.of(), "explain", config.get().toString(), "203.0.113.20",
                            "7000").stdout());
                    assertTrue(out.contains("mark 17 (0x11): no ip rule catches it for 203.0.113.20"), out);
                }),
                dynamicTest("explain: interface and source", () -> {
                    String out = String.join("\n", cli(List.of(), "explain", config.get().toString(),
                            "2001:db8:f::10", "7000").stdout());
                    assertTrue(out.contains("pinned to b0 with source [198.51.100.7, 2001:db8:b::99] by rule"
                            + " 'elsewhere'"), out);
                }),
                dynamicTest("check, without CAP_NET_ADMIN: warns of the source on no interface, of the missing"
                        + " capability and of the uncaught mark", () -> {
                    ChildResult result = cli(WITHOUT_NET_ADMIN, "check", config.get().toString());
                    String out = String.join("\n", result.stdout());
                    assertTrue(out.contains("source 2001:db8:b::99 is on no interface")
                            && !out.contains("source 198.51.100.7 is on no interface"), out);
                    assertTrue(out.contains("mark 16 (0x10): this process has no CAP_NET_ADMIN"), out);
                    assertTrue(out.contains("no ip rule catches it for 203.0.113.20")
                            && !out.contains("no ip rule catches it for 203.0.113.10"), out);
                    assertEquals(0, result.exitCode(), result.describe());
                })));
    }

    private ChildResult cli(List<String> privileges, String... args) {
        return ChildJvm.on(TestJdk.JDK_17).classpath(ItEnv.agentJar()).main("io.ifpin.agent.IfpinAgent", args)
                .privileges(privileges).runIn(lab);
    }

    /**
     * 6,000 ephemeral ports, 10,000 connects that this side closes first to two destinations whose server does not
     * write after the client's FIN (PeerServer's HTTP and PostgreSQL ports), so each connect leaves a TIME_WAIT here
     * for 60 s. With ifpin's source bind the port is chosen at connect by the whole 4-tuple (IP_BIND_ADDRESS_NO_PORT),
     * so each destination has the 6,000 ports; each JDK connects to another server port, so the first run's TIME_WAITs
     * do not count against the second. The control, the same connects with the application binding the source itself
     * (a plain bind takes a port of its own, and a TIME_WAIT keeps it), runs out of ports: in a lab of its own, since
     * ports a plain bind took are not shared by connect() afterwards.
     */
    private DynamicNode tenThousandConnects() {
        String config = "    { name = sourced, cidrs = [\"203.0.113.0/24\"], source = \"192.0.2.7\" }";
        List<DynamicNode> tests = new java.util.ArrayList<>();
        int[] serverPorts = {7080, 7432};
        for (TestJdk jdk : TestJdk.values()) {
            int port = serverPorts[jdk.ordinal() % serverPorts.length];
            tests.add(dynamicTest("[" + jdk.label() + "] 10,000 connects with source = 192.0.2.7 (6,000 ephemeral"
                    + " ports): none fails", () -> {
                Path file = TestFiles.write(work.resolve(jdk.name() + "-ports.conf"),
                        "ifpin {\n  rules = [\n" + config + "\n  ]\n}\n");
                ChildResult result = ChildJvm.on(jdk).agent(ItEnv.agentJar(), file)
                        .classpath(ItEnv.testClasses(), ItEnv.demoJar())
                        .main(APP, "connects", "10000", "203.0.113.10:" + port + ",203.0.113.20:" + port)
                        .runIn(portsLab);
                assertTrue(result.stdout().contains("connects ok 10000 failed 0 first-failure -1 null"),
                        result.describe());
            }));
        }
        tests.add(dynamicTest("control: the application binds 192.0.2.7 itself (no IP_BIND_ADDRESS_NO_PORT) and runs"
                + " out of ports before 10,000", () -> {
            ChildResult result = ChildJvm.on(TestJdk.values()[0]).classpath(ItEnv.testClasses(), ItEnv.demoJar())
                    .main(APP, "connects", "10000", "203.0.113.10:7080,203.0.113.20:7080", "192.0.2.7")
                    .runIn(controlLab);
            String line = result.stdout().stream().filter(l -> l.startsWith("connects ")).findFirst().orElse("");
            assertTrue(line.contains("Address already in use") && !line.contains("failed 0 "), line
                    + result.describe());
        }));
        return dynamicContainer("10,000 connects with a source address", tests.stream());
    }

    /** A lab with 192.0.2.7 on a0 and 6,000 ephemeral ports (40000 to 45999) in the client namespace. */
    private static void fewPorts(NetnsLab ports) {
        ports.runInClient(true, "ip", "addr", "add", "192.0.2.7/32", "dev", "a0");
        ports.runInClient(true, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 45999");
    }
}
