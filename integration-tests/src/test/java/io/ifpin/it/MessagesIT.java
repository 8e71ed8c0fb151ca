package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.IfpinReady;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Every startup-time and run-time message of docs/troubleshooting.md's index that a child JVM can produce without a network
 * namespace: the JVM runs in the test's own namespace and only talks to 127.0.0.1/127.0.0.2 (loopback). Each test
 * factory is named after the message it backs (docs/dev/lab-notes.md maps the message index to its tests) and runs on
 * every {@link TestJdk}.
 */
class MessagesIT {

    private static final String APP = LoopbackApp.class.getName();
    /** 1-based line of rule 'gone' in {@link #MAIN_CONFIG}. */
    private static final int GONE_LINE = 5;
    private static final String MAIN_CONFIG = String.join("\n",
            "ifpin {",
            "  log { level = debug }",
            "  rules = [",
            "    { name = \"loop\", cidrs = [\"127.0.0.1/32\"], interface = \"lo\" }",
            "    { name = \"gone\", cidrs = [\"127.0.0.2/32\"], interface = \"nosuch0\" }",
            "  ]",
            "}",
            "");

    @TempDir
    static Path work;
    private static Path mainConfig;
    /** The run most sections share: rule loop pins to lo, rule gone names a missing interface, debug level. */
    private static final Map<TestJdk, Lazy<ChildResult>> MAIN_RUN = new EnumMap<>(TestJdk.class);

    @BeforeAll
    static void setUp() {
        mainConfig = TestFiles.write(work.resolve("messages.conf"), MAIN_CONFIG);
        for (TestJdk jdk : TestJdk.values()) {
            MAIN_RUN.put(jdk, new Lazy<>(() -> app(jdk, 3).agent(ItEnv.agentJar(), mainConfig).runOnHost()));
        }
    }

    // ---- the main run: startup, interface report, missing interface, ENODEV, debug, exit summary ----------------

    @TestFactory
    Stream<DynamicNode> startupLine() {
        return perJdk("one INFO startup line: version, Java, kernel, rules, interfaces, paths, self-test", (jdk, result) -> {
            String line = single(result, "[ifpin] INFO ifpin ");
            assertTrue(Pattern.compile("^\\[ifpin] INFO ifpin \\S+ on Java " + jdk.feature() + "[.+\\-\\w]*, Linux \\S+: 2"
                    + " rule\\(s\\) from " + Pattern.quote(mainConfig.toString()) + " \\[loop: cidrs \\[127.0.0.1/32] -> lo,"
                    + " gone: cidrs \\[127.0.0.2/32] -> nosuch0]; unmatched sockets: allow; interfaces \\[lo[,\\]].*; pinning"
                    + " \\[Socket/SSLSocket/URLConnection, SocketChannel/HttpClient, AsynchronousSocketChannel,"
                    + " DatagramSocket/DatagramChannel connect, DatagramSocket/DatagramChannel send, ServerSocket listen,"
                    + " ServerSocketChannel listen, AsynchronousServerSocketChannel listen] and Netty epoll/io_uring"
                    + " \\(any package prefix\\)( \\[[^]]*])?; self-test \\[loop -> lo: OK, gone -> nosuch0: ENODEV];"
                    // the Foreign Function API where the JDK has it (22+), JNA before
                    + " system calls through " + (jdk.feature() >= 22 ? "FFM" : "JNA") + "; ready in \\d+ ms$")
                    .matcher(line).matches(), line + result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> interfaceReport() {
        return perJdk("one INFO line per rule on its interface, also for a missing one", (jdk, result) -> {
            String lo = single(result, "[ifpin] INFO rule 'loop' -> interface 'lo': ");
            assertTrue(lo.startsWith("[ifpin] INFO rule 'loop' -> interface 'lo': up, addresses [127.0.0.1/8"), lo);
            assertTrue(lo.matches(".*, default route IPv4 \\S+ .*, IPv6 \\S+ .*, rp_filter \\d \\(\\w+\\)$"), lo);
            assertEquals("[ifpin] INFO rule 'gone' -> interface 'nosuch0': does not exist in this network namespace now",
                    single(result, "[ifpin] INFO rule 'gone' -> "));
        });
    }

    @TestFactory
    Stream<DynamicNode> interfaceMissingAtStartup() {
        return perJdk("a WARN names the rule, its file:line and the missing interface, before any connect", (jdk, result) -> {
            String warn = single(result, "[ifpin] WARN rule 'gone' (");
            assertTrue(warn.startsWith("[ifpin] WARN rule 'gone' (" + mainConfig + ":" + GONE_LINE + ") names interface"
                    + " 'nosuch0', which does not exist in this network namespace now (interfaces: lo"), warn);
            assertTrue(warn.endsWith("). Until it appears, its sockets fail with ENODEV and proceed unpinned. Fix: correct"
                    + " the name, or ignore this if the interface comes up later (a VPN)."), warn);
            assertTrue(index(result, "[ifpin] WARN rule 'gone' (") < index(result, "[ifpin] ERROR rule 'gone'"),
                    result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> enodev() {
        return perJdk("ENODEV at connect: one ERROR line, fail-open", (jdk, result) -> {
            String error = single(result, "[ifpin] ERROR rule 'gone' (");
            assertTrue(Pattern.compile("^\\[ifpin] ERROR rule 'gone' \\(" + Pattern.quote(mainConfig + ":" + GONE_LINE)
                    + "\\): cannot pin TCP socket \\S+ -> 127\\.0\\.0\\.2:\\d+ to interface 'nosuch0': ENODEV\\. There is"
                    + " no interface 'nosuch0' in this network namespace\\. Fix: correct 'interface' in rule 'gone'"
                    + " \\(ip link lists the interfaces\\), or bring the interface up before the application connects\\."
                    + " The socket proceeds unpinned \\(fail-open\\)\\. \\(reported once per outage; repeats are counted until"
                    + " pinning to 'nosuch0' works again\\)$")
                    .matcher(error).matches(), error);
            // fail-open: the connects went ahead (and were refused: nobody listens on 127.0.0.2)
            assertEquals(3, result.stdout().stream().filter(l -> l.startsWith("127.0.0.2 refused")).count(),
                    result.describe());
            assertEquals(0, result.exitCode(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> debugLines() {
        return perJdk("debug level: a DEBUG line per pinned socket, and per repeated problem", (jdk, result) -> {
            String pinned = single(result, "[ifpin] DEBUG rule 'loop': pinned ");
            assertTrue(pinned.matches("\\[ifpin] DEBUG rule 'loop': pinned TCP socket \\S+ -> 127\\.0\\.0\\.1:\\d+ to 'lo'"),
                    pinned);
            assertTrue(result.stdout().contains("127.0.0.1 connected"), result.describe());
            assertTrue(result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] DEBUG again (3 times): rule 'gone'")),
                    result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> exitSummary() {
        return perJdk("at exit, one WARN per problem that happened more than once", (jdk, result) -> assertEquals(
                "[ifpin] WARN at exit: 'rule 'gone': ENODEV pinning to 'nosuch0'' happened 3 times (first occurrence"
                        + " logged above)", single(result, "[ifpin] WARN at exit: ")));
    }

    // ---- the JVM's own warning on JDK 24+ ---------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> restrictedMethodWarning() {
        TestJdk jdk = TestJdk.JDK_25;
        return Stream.of(
                dynamicTest("[" + jdk.label() + "] no JVM warning without any flag: ifpin grants its own module native"
                        + " access and does not load JNA", () -> {
                    ChildResult result = MAIN_RUN.get(jdk).get();
                    assertTrue(result.stderr().stream().noneMatch(l -> l.startsWith("WARNING:")), result.describe());
                    assertTrue(single(result, "[ifpin] INFO ifpin ").contains("; system calls through FFM; "),
                            result.describe());
                }),
                dynamicTest("[" + jdk.label() + "] --enable-native-access=ALL-UNNAMED is still accepted", () -> {
                    ChildResult result = app(jdk, 0).agent(ItEnv.agentJar(), mainConfig)
                            .jvmOption("--enable-native-access=ALL-UNNAMED").runOnHost();
                    assertTrue(result.stderr().stream().noneMatch(l -> l.startsWith("WARNING:")), result.describe());
                    assertTrue(result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] INFO ifpin ")), result.describe());
                    assertEquals(0, result.exitCode(), result.describe());
                }),
                dynamicTest("[" + TestJdk.JDK_17.label() + "] no such warning, and the flag is accepted", () -> {
                    ChildResult result = app(TestJdk.JDK_17, 0).agent(ItEnv.agentJar(), mainConfig)
                            .jvmOption("--enable-native-access=ALL-UNNAMED").runOnHost();
                    assertTrue(result.stderr().stream().noneMatch(l -> l.startsWith("WARNING:")), result.describe());
                    assertTrue(MAIN_RUN.get(TestJdk.JDK_17).get().stderr().stream().noneMatch(l -> l.startsWith("WARNING:")),
                            MAIN_RUN.get(TestJdk.JDK_17).get().describe());
                    assertEquals(0, result.exitCode(), result.describe());
                }));
    }

    // ---- stops: exit status 2 ---------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> noConfigGiven() {
        return perJdkRun("-javaagent without a config path: two ERROR lines, exit 2, the app does not run", jdk -> {
            Assumptions.assumeTrue(System.getenv("IFPIN_CONFIG") == null, "IFPIN_CONFIG is set in the test's environment");
            return app(jdk, 0).jvmOption("-javaagent:" + ItEnv.agentJar()).runOnHost();
        }, (jdk, result) -> {
            assertEquals(List.of("[ifpin] ERROR no config file given. Fix: -javaagent:/path/ifpin-agent.jar=/etc/ifpin/ifpin.conf,"
                            + " or -Difpin.config=/etc/ifpin/ifpin.conf, or the IFPIN_CONFIG environment variable.",
                    "[ifpin] ERROR the application is not started (exit status 2)."), result.stderr());
            assertEquals(2, result.exitCode(), result.describe());
            assertTrue(result.stdout().isEmpty(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> invalidLogLevel() {
        return perJdkRun("-Difpin.log.level=verbose: two ERROR lines, exit 2", jdk -> app(jdk, 0)
                .agent(ItEnv.agentJar(), mainConfig).jvmOption("-Difpin.log.level=verbose").runOnHost(), (jdk, result) -> {
            assertEquals(List.of("[ifpin] ERROR -Difpin.log.level=verbose: unknown log level \"verbose\"; allowed: error,"
                            + " warn, info, debug", "[ifpin] ERROR the application is not started (exit status 2)."),
                    result.stderr());
            assertEquals(2, result.exitCode(), result.describe());
            assertTrue(result.stdout().isEmpty(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> invalidMode() {
        return perJdkRun("-Difpin.mode=audit: two ERROR lines, exit 2", jdk -> app(jdk, 0)
                .agent(ItEnv.agentJar(), mainConfig).jvmOption("-Difpin.mode=audit").runOnHost(), (jdk, result) -> {
            assertEquals(List.of("[ifpin] ERROR -Difpin.mode=audit: unknown mode \"audit\"; allowed: enforce, observe."
                            + " Fix: write -Difpin.mode=observe or -Difpin.mode=enforce, or remove it (the file's"
                            + " ifpin.mode applies).", "[ifpin] ERROR the application is not started (exit status 2)."),
                    result.stderr());
            assertEquals(2, result.exitCode(), result.describe());
            assertTrue(result.stdout().isEmpty(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> invalidNativeChoice() {
        return perJdkRun("-Difpin.native=fast: two ERROR lines, exit 2", jdk -> app(jdk, 0)
                .agent(ItEnv.agentJar(), mainConfig).jvmOption("-Difpin.native=fast").runOnHost(), (jdk, result) -> {
            assertEquals(List.of("[ifpin] ERROR -Difpin.native=fast: unknown value; allowed: auto, jna, ffm. Fix: remove"
                            + " it (the default, auto, uses the fastest way this JDK has), or write -Difpin.native=jna.",
                    "[ifpin] ERROR the application is not started (exit status 2)."), result.stderr());
            assertEquals(2, result.exitCode(), result.describe());
            assertTrue(result.stdout().isEmpty(), result.describe());
        });
    }

    /** -Difpin.native overrides the choice of FFM (Java 22+) or JNA; pinning works either way (the loop rule). */
    @TestFactory
    Stream<DynamicNode> nativeChoice() {
        return Stream.of(
                dynamicTest("[" + TestJdk.JDK_25.label() + "] -Difpin.native=jna keeps JNA where FFM is available", () -> {
                    ChildResult result = app(TestJdk.JDK_25, 1).agent(ItEnv.agentJar(), mainConfig)
                            .jvmOption("-Difpin.native=jna").runOnHost();
                    assertTrue(single(result, "[ifpin] INFO ifpin ").contains("; system calls through JNA; ready in"),
                            result.describe());
                    assertTrue(pinnedToLo(result), result.describe());
                    assertEquals(0, result.exitCode(), result.describe());
                }),
                dynamicTest("[" + TestJdk.JDK_17.label() + "] -Difpin.native=ffm before Java 22: one WARN, JNA", () -> {
                    ChildResult result = app(TestJdk.JDK_17, 1).agent(ItEnv.agentJar(), mainConfig)
                            .jvmOption("-Difpin.native=ffm").runOnHost();
                    String warning = single(result, "[ifpin] WARN -Difpin.native=ffm: ");
                    assertTrue(warning.startsWith("[ifpin] WARN -Difpin.native=ffm: system calls through JNA: the Foreign"
                            + " Function API is not usable (the Foreign Function"
                            + " API is final from Java 22; this is Java 17). Pinning works the same, about 0.5 µs slower"
                            + " per pinned socket. Fix: run on Java 22 or later, or remove -Difpin.native."), warning);
                    assertTrue(single(result, "[ifpin] INFO ifpin ").contains("; system calls through JNA; ready in"),
                            result.describe());
                    assertTrue(pinnedToLo(result), result.describe());
                    assertEquals(0, result.exitCode(), result.describe());
                }));
    }

    private static boolean pinnedToLo(ChildResult result) {
        return result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] DEBUG rule 'loop': pinned TCP socket")
                && l.endsWith(" to 'lo'"));
    }

    @TestFactory
    Stream<DynamicNode> invalidConfig() {
        return perJdkRun("an invalid config: a head line, one line per problem, every line prefixed, exit 2", jdk -> {
            Path config = TestFiles.write(work.resolve(jdk.name()).resolve("bad.conf"), String.join("\n",
                    "ifpin {",
                    "  rules = [",
                    "    { name = \"r\", cidrs = [\"192.0.2.1/24\"], protocols = [sctp], interface = \"b0\" }",
                    "  ]",
                    "}", ""));
            return app(jdk, 0).agent(ItEnv.agentJar(), config).runOnHost();
        }, (jdk, result) -> {
            Path config = work.resolve(jdk.name()).resolve("bad.conf");
            List<String> stderr = result.stderr();
            assertEquals(4, stderr.size(), result.describe());
            assertEquals("[ifpin] ERROR invalid ifpin config " + config + ": 2 problems", stderr.get(0));
            assertEquals("[ifpin] ERROR " + config + ":3: ifpin.rules[0].cidrs[0] = \"192.0.2.1/24\": host bits are set."
                    + " Fix: use the network address \"192.0.2.0/24\".", stderr.get(1));
            assertEquals("[ifpin] ERROR " + config + ":3: ifpin.rules[0].protocols[0] = \"sctp\": unknown protocol. Fix:"
                    + " use tcp or udp.", stderr.get(2));
            assertEquals("[ifpin] ERROR the application is not started (exit status 2).", stderr.get(3));
            assertEquals(2, result.exitCode(), result.describe());
            assertTrue(result.stdout().isEmpty(), result.describe());
        });
    }

    // ---- the agent cannot start, the application does ---------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> agentFailedToStart() {
        return perJdkRun("a jar without AgentMain: ERROR and trace, every line prefixed; the app runs", jdk -> {
            Path broken = work.resolve(jdk.name()).resolve("broken-ifpin-agent.jar");
            if (!Files.exists(broken)) {
                copyJarWithout(ItEnv.agentJar(), broken, "ifpin-inst/io/ifpin/core/AgentMain.classdata");
            }
            return app(jdk, 0).agent(broken, mainConfig).runOnHost();
        }, (jdk, result) -> {
            List<String> stderr = result.stderr();
            assertFalse(stderr.isEmpty(), result.describe());
            assertEquals("[ifpin] ERROR the agent failed to start; sockets are NOT pinned:"
                    + " java.lang.ClassNotFoundException: io.ifpin.core.AgentMain", stderr.get(0), result.describe());
            assertEquals("[ifpin] ERROR java.lang.ClassNotFoundException: io.ifpin.core.AgentMain", stderr.get(1),
                    result.describe());
            assertTrue(stderr.get(2).startsWith("[ifpin] ERROR \tat "), result.describe());
            assertTrue(stderr.stream().allMatch(l -> l.startsWith("[ifpin] ERROR ")), result.describe());
            assertTrue(result.stdout().contains("127.0.0.1 connected"), result.describe());
            assertEquals(0, result.exitCode(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> agentJarPathWrong() {
        return perJdkRun("a wrong jar path: the JVM's own message, exit 1", jdk -> {
            Path missing = work.resolve("no-such-dir").resolve("ifpin-agent.jar");
            return app(jdk, 0).jvmOption("-javaagent:" + missing + "=" + mainConfig).runOnHost();
        }, (jdk, result) -> {
            Path missing = work.resolve("no-such-dir").resolve("ifpin-agent.jar");
            assertTrue(result.stderr().contains("Error opening zip file or JAR manifest missing : " + missing),
                    result.describe());
            // The JVM writes its last two lines to stdout; their wording differs between JDK 17 and 25.
            assertTrue(result.stdout().contains("Error occurred during initialization of VM"), result.describe());
            assertTrue(result.stdout().contains(jdk.feature() < 25 ? "agent library failed to init: instrument"
                    : "agent library failed Agent_OnLoad: instrument"), result.describe());
            assertEquals(1, result.exitCode(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> nativeAccessUnavailable() {
        return perJdkRun("JNA cannot unpack its library: one ERROR line; the app runs unpinned", jdk -> {
            // mkdirs() cannot create a directory under a regular file (a missing directory JNA would create).
            Path regularFile = TestFiles.write(work.resolve(jdk.name()).resolve("a-regular-file"), "");
            // Java 22+ uses no JNA unless asked to
            // The app connects once ifpin is ready: a connect before then may be pinned early, through the JDK's
            // setsockopt (EarlyPins needs no JNA), and never reach the rule's ENOSYS report checked here
            return appAfterReady(jdk).agent(ItEnv.agentJar(), mainConfig).jvmOption("-Difpin.native=jna")
                    .jvmOption("-Djna.tmpdir=" + regularFile.resolve("jna")).runOnHost();
        }, (jdk, result) -> {
            Path tmp = work.resolve(jdk.name()).resolve("a-regular-file").resolve("jna");
            String error = single(result, "[ifpin] ERROR cannot call SO_BINDTODEVICE (");
            assertTrue(error.startsWith("[ifpin] ERROR cannot call SO_BINDTODEVICE (java.lang.UnsatisfiedLinkError:"), error);
            assertTrue(error.contains("JNA temporary directory '" + tmp + "' does not exist"), error);
            assertTrue(error.endsWith("); sockets opened from now on are NOT pinned (deny rules still refuse,"
                    + " fail-closed rules refuse what they match). Fix: run on Linux, and if JNA cannot unpack its"
                    + " library, point -Djna.tmpdir at a directory that allows exec."), error);
            assertTrue(result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] ERROR rule 'loop'")
                    && l.contains(": ENOSYS. ifpin could not load its native access at startup")
                    && l.contains("The socket proceeds unpinned (fail-open).")), "each rule says so once" + result.describe());
            assertTrue(result.stderr().stream().noneMatch(l -> l.contains("[ifpin] DEBUG rule 'loop': pinned")),
                    result.describe());
            assertTrue(result.stdout().contains("127.0.0.1 connected"), result.describe());
            assertEquals(0, result.exitCode(), result.describe());
        });
    }

    // ---- socket paths -----------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> socketPathNotCovered() {
        // A JDK "whose classes differ": java.base patched with a UnixAsynchronousSocketChannelImpl whose implConnect
        // is renamed (the abstract method it implements is then only missing if called; this app never does).
        return perJdkRun("a JDK class without the advised method: one ERROR per path at startup", jdk -> {
            Path patch = work.resolve(jdk.name()).resolve("patch-missing-method");
            patchJavaBase(jdk, "sun/nio/ch/UnixAsynchronousSocketChannelImpl.class", "implConnect", "implConnecX", patch);
            return app(jdk, 0).agent(ItEnv.agentJar(), mainConfig).jvmOption("--patch-module=java.base=" + patch)
                    .runOnHost();
        }, (jdk, result) -> {
            String error = single(result, "[ifpin] ERROR socket path not covered on Java ");
            assertTrue(Pattern.compile("^\\[ifpin] ERROR socket path not covered on Java " + jdk.feature() + "[.+\\-\\w]*:"
                    + " AsynchronousSocketChannel \\(sun\\.nio\\.ch\\.UnixAsynchronousSocketChannelImpl\\); sockets opened"
                    + " this way are NOT pinned\\. Please report this with your Java version\\.$").matcher(error).matches(),
                    error);
            // the other paths still work
            assertTrue(result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] DEBUG rule 'loop': pinned TCP socket")),
                    result.describe());
            assertEquals(0, result.exitCode(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> instrumentingFailed() {
        // SocketChannelImpl with its field 'fd' renamed: the advice's @FieldValue("fd") cannot be bound.
        return perJdkRun("a JDK class the advice cannot be applied to: one ERROR naming the class", jdk -> {
            Path patch = work.resolve(jdk.name()).resolve("patch-missing-field");
            patchJavaBase(jdk, "sun/nio/ch/SocketChannelImpl.class", "fd", "fX", patch);
            return app(jdk, 0).agent(ItEnv.agentJar(), mainConfig).jvmOption("--patch-module=java.base=" + patch)
                    .runOnHost();
        }, (jdk, result) -> {
            String error = single(result, "[ifpin] ERROR instrumenting ");
            assertTrue(error.startsWith("[ifpin] ERROR instrumenting sun.nio.ch.SocketChannelImpl failed, sockets opened"
                    + " through it are NOT pinned: "), error);
            assertTrue(result.stdout().contains("127.0.0.1 connected"), result.describe());
            assertEquals(0, result.exitCode(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> legacySocketImplementation() {
        return perJdkRun("-Djdk.net.usePlain*Impl: an ERROR per property on JDK 17, nothing on JDK 25", jdk -> app(jdk, 0)
                .agent(ItEnv.agentJar(), mainConfig)
                .jvmOption("-Djdk.net.usePlainSocketImpl=true")
                .jvmOption("-Djdk.net.usePlainDatagramSocketImpl")
                .runOnHost(), (jdk, result) -> {
            List<String> legacy = result.stderr().stream().filter(l -> l.contains("legacy socket implementation"))
                    .collect(Collectors.toList());
            if (jdk.feature() < 18) {
                assertEquals(List.of(
                        "[ifpin] ERROR -Djdk.net.usePlainSocketImpl selects the JDK's legacy socket implementation, which"
                                + " ifpin does not cover: those sockets are NOT pinned. Fix: remove -Djdk.net.usePlainSocketImpl.",
                        "[ifpin] ERROR -Djdk.net.usePlainDatagramSocketImpl selects the JDK's legacy socket implementation,"
                                + " which ifpin does not cover: those sockets are NOT pinned. Fix: remove"
                                + " -Djdk.net.usePlainDatagramSocketImpl."), legacy, result.describe());
                // and it is true: the Socket to 127.0.0.1 was not pinned
                assertTrue(result.stderr().stream().noneMatch(l -> l.contains("[ifpin] DEBUG rule 'loop': pinned")),
                        result.describe());
            } else {
                assertEquals(List.of(), legacy, result.describe());
                assertTrue(result.stderr().stream().anyMatch(l -> l.contains("[ifpin] DEBUG rule 'loop': pinned")),
                        result.describe());
            }
            assertEquals(0, result.exitCode(), result.describe());
        });
    }

    // ---- log file -----------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> logFileCannotBeOpened() {
        return perJdkRun("ifpin.log.file under a regular file: one ERROR, then stderr only", jdk -> {
            Path regularFile = TestFiles.write(work.resolve(jdk.name()).resolve("not-a-dir"), "");
            return app(jdk, 0).agent(ItEnv.agentJar(), logConfig(jdk, regularFile.resolve("ifpin.log"))).runOnHost();
        }, (jdk, result) -> {
            Path logFile = work.resolve(jdk.name()).resolve("not-a-dir").resolve("ifpin.log");
            assertEquals("[ifpin] ERROR cannot open log file " + logFile + " (java.nio.file.FileSystemException: " + logFile
                    + ": Not a directory); logging to stderr only. Fix: make ifpin.log.file a path the application's"
                    + " user can write.", single(result, "[ifpin] ERROR cannot open log file "));
            assertTrue(result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] INFO ifpin ")), result.describe());
            assertEquals(0, result.exitCode(), result.describe());
        });
    }

    @TestFactory
    Stream<DynamicNode> logFileWriteFails() {
        return perJdkRun("ifpin.log.file = /dev/full: the first write fails, one WARN, then stderr only", jdk -> app(jdk, 0)
                .agent(ItEnv.agentJar(), logConfig(jdk, Path.of("/dev/full"))).runOnHost(), (jdk, result) -> {
            assertEquals("[ifpin] WARN writing the log file failed (java.io.IOException: No space left on device); logging"
                    + " to stderr only.", single(result, "[ifpin] WARN writing the log file failed"));
            assertTrue(result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] INFO ifpin ")), result.describe());
            assertEquals(0, result.exitCode(), result.describe());
        });
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static Path logConfig(TestJdk jdk, Path logFile) {
        return TestFiles.write(work.resolve(jdk.name()).resolve("log-" + logFile.getFileName() + ".conf"), String.join("\n",
                "ifpin {",
                "  log { file = \"" + logFile + "\" }",
                "  rules = [ { name = \"loop\", cidrs = [\"127.0.0.1/32\"], interface = \"lo\" } ]",
                "}", ""));
    }

    /** {@link LoopbackApp} on the test classes' class path; connects once to 127.0.0.1, n times to 127.0.0.2. */
    private static ChildJvm app(TestJdk jdk, int refusedConnects) {
        return ChildJvm.on(jdk).classpath(ItEnv.testClasses()).main(APP, Integer.toString(refusedConnects));
    }

    /** {@link LoopbackApp} with no refused connect, its sockets opened only once ifpin is ready. */
    private static ChildJvm appAfterReady(TestJdk jdk) {
        return ChildJvm.on(jdk).classpath(ItEnv.testClasses()).main(APP, "0", "after-ready");
    }

    /** One test per JDK on the shared main run. */
    private static Stream<DynamicNode> perJdk(String what, Check check) {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicTest("[" + jdk.label() + "] " + what,
                () -> check.accept(jdk, MAIN_RUN.get(jdk).get())));
    }

    /** One test per JDK on its own run. */
    private static Stream<DynamicNode> perJdkRun(String what, ThrowingFunction run, Check check) {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicTest("[" + jdk.label() + "] " + what,
                () -> check.accept(jdk, run.apply(jdk))));
    }

    @FunctionalInterface
    private interface Check {
        void accept(TestJdk jdk, ChildResult result) throws Throwable;
    }

    @FunctionalInterface
    private interface ThrowingFunction {
        ChildResult apply(TestJdk jdk) throws Throwable;
    }

    /** The only stderr line that starts with {@code prefix}. */
    private static String single(ChildResult result, String prefix) {
        List<String> lines = result.stderr().stream().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
        assertEquals(1, lines.size(), "lines starting with " + prefix + ": " + lines + result.describe());
        return lines.get(0);
    }

    private static int index(ChildResult result, String prefix) {
        List<String> stderr = result.stderr();
        for (int i = 0; i < stderr.size(); i++) {
            if (stderr.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    /** Copies a jar entry by entry, leaving one out (a damaged agent jar). */
    private static void copyJarWithout(Path source, Path target, String omitted) throws IOException {
        Files.createDirectories(target.getParent());
        boolean found = false;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(source));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals(omitted)) {
                    found = true;
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
        }
        assertTrue(found, omitted + " is not in " + source);
    }

    /**
     * Writes {@code <dir>/<classFile>}: the class from the JDK's own java.base with one constant-pool name renamed
     * (same length), for {@code --patch-module java.base=<dir>}.
     */
    private static void patchJavaBase(TestJdk jdk, String classFile, String from, String to, Path dir) throws IOException {
        byte[] bytes;
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", jdk.home().toString()))) {
            bytes = Files.readAllBytes(jrt.getPath("/modules/java.base", classFile));
        }
        Path target = dir.resolve(classFile);
        Files.createDirectories(target.getParent());
        Files.write(target, renameUtf8(bytes, from, to));
    }

    /** Renames the one CONSTANT_Utf8 entry equal to {@code from}; fails if there is none. */
    static byte[] renameUtf8(byte[] classFile, String from, String to) {
        assertEquals(from.length(), to.length(), "same length keeps every offset");
        byte[] result = classFile.clone();
        int count = ((classFile[8] & 0xff) << 8) | (classFile[9] & 0xff);
        int pos = 10;
        int renamed = 0;
        for (int i = 1; i < count; i++) {
            int tag = classFile[pos] & 0xff;
            switch (tag) {
                case 1 -> {
                    int length = ((classFile[pos + 1] & 0xff) << 8) | (classFile[pos + 2] & 0xff);
                    String value = new String(classFile, pos + 3, length, StandardCharsets.UTF_8);
                    if (value.equals(from)) {
                        System.arraycopy(to.getBytes(StandardCharsets.UTF_8), 0, result, pos + 3, length);
                        renamed++;
                    }
                    pos += 3 + length;
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> pos += 5;
                case 5, 6 -> {
                    pos += 9;
                    i++; // takes two slots
                }
                case 7, 8, 16, 19, 20 -> pos += 3;
                case 15 -> pos += 4;
                default -> throw new IllegalStateException("unknown constant pool tag " + tag + " at " + pos);
            }
        }
        assertEquals(1, renamed, "constant-pool entries named " + from);
        return result;
    }

    /**
     * The child's application: listens on 127.0.0.1, connects to itself (rule loop pins that socket to lo), then
     * connects {@code args[0]} times to the same port on 127.0.0.2, where nobody listens (rule gone, ENODEV).
     * Loopback only; nothing leaves the host. Then waits until ifpin is ready ({@link IfpinReady}); with
     * {@code after-ready} as {@code args[1]}, waits for that first.
     */
    public static final class LoopbackApp {
        public static void main(String[] args) throws IOException {
            int refused = Integer.parseInt(args[0]);
            if (args.length > 1 && args[1].equals("after-ready")) {
                IfpinReady.await(); // no socket before ifpin is ready: none is pinned early
            }
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
                try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
                     Socket accepted = server.accept()) {
                    System.out.println("127.0.0.1 connected");
                }
                for (int i = 0; i < refused; i++) {
                    try (Socket socket = new Socket(InetAddress.getByName("127.0.0.2"), server.getLocalPort())) {
                        System.out.println("127.0.0.2 connected");
                    } catch (IOException e) {
                        System.out.println("127.0.0.2 refused: " + e);
                    }
                }
            }
            // Last, so that no socket above waits: the early-pinned connect no longer waits for ifpin, and the JVM
            // would exit before ifpin's startup lines and other messages appear
            IfpinReady.await();
        }
    }
}
