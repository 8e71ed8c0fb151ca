package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.IsolationApp;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The agent bundles JNA, ByteBuddy and Typesafe Config; an application that ships its own
 * (older) copies must keep getting its own classes and its own configuration, while its sockets
 * are pinned. The app is {@link IsolationApp}, run with the old jars copied into
 * target/isolation-libs by maven-dependency-plugin.
 */
class IsolationIT {

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("iso");
    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> appKeepsItsOwnLibraries() {
        String jna = ItEnv.property("ifpin.isolation.jna.version", "5.13.0");
        String byteBuddy = ItEnv.property("ifpin.isolation.bytebuddy.version", "1.14.18");
        String config = ItEnv.property("ifpin.isolation.config.version", "1.4.1");
        return Stream.of(TestJdk.values()).map(jdk -> {
            String context = "[" + jdk.label() + "] ";
            Lazy<ChildResult> run = new Lazy<>(() -> runIsolationApp(jdk, jna, byteBuddy, config));
            Lazy<Map<String, String>> report = new Lazy<>(() -> keyValues(run.get()));
            return dynamicContainer(jdk.label(), Stream.of(
                    expect(context, "JNA is the app's " + jna + " (Native.VERSION)", run, report, "jna-version", jna),
                    expect(context, "JNA classes come from jna-" + jna + ".jar", run, report, "jna-jar", "jna-" + jna + ".jar"),
                    expect(context, "the app's JNA makes a native call (getpid)", run, report, "jna-getpid", "ok"),
                    expect(context, "ByteBuddy is the app's " + byteBuddy, run, report, "bytebuddy-version", byteBuddy),
                    expect(context, "ByteBuddy classes come from byte-buddy-" + byteBuddy + ".jar", run, report, "bytebuddy-jar", "byte-buddy-" + byteBuddy + ".jar"),
                    expect(context, "the app's ByteBuddy builds a subclass", run, report, "bytebuddy-subclass", "generated-by-app"),
                    expect(context, "Typesafe Config is the app's " + config, run, report, "config-version", config),
                    expect(context, "Config classes come from config-" + config + ".jar", run, report, "config-jar", "config-" + config + ".jar"),
                    expect(context, "ConfigFactory.load() reads the app's own application.conf", run, report, "config-value", "hello-from-the-app-config"),
                    dynamicTest(context + "the app's socket is pinned to b0 (peer 198.51.100.2)", () -> {
                        String peer = report.get().getOrDefault("peer", "(none)");
                        assertTrue(peer.startsWith("198.51.100.2 "), "peer: " + peer + run.get().describe());
                    }),
                    dynamicTest(context + "exit code 0", () -> assertEquals(0, run.get().exitCode(), run.get().describe()))));
        });
    }

    private static DynamicNode expect(String context, String title, Lazy<ChildResult> run, Lazy<Map<String, String>> report,
                                      String key, String expected) {
        return dynamicTest(context + title, () -> assertEquals(expected, report.get().get(key), key + run.get().describe()));
    }

    private ChildResult runIsolationApp(TestJdk jdk, String jna, String byteBuddy, String config) {
        Path libs = ItEnv.isolationLibs();
        Path agentConfig = AgentConfig.create().cidrRule("corp-cidr", "b0", "203.0.113.10/32")
                .writeTo(work.resolve(jdk.name() + ".conf"));
        return ChildJvm.on(jdk)
                .agent(ItEnv.agentJar(), agentConfig)
                .classpath(ItEnv.testClasses(),
                        libs.resolve("jna-" + jna + ".jar"),
                        libs.resolve("byte-buddy-" + byteBuddy + ".jar"),
                        libs.resolve("config-" + config + ".jar"))
                .main(IsolationApp.class.getName(), "203.0.113.10", "7000")
                .runIn(lab);
    }

    /** IsolationApp prints "key value" lines. */
    private static Map<String, String> keyValues(ChildResult result) {
        return result.stdout().stream()
                .filter(line -> line.indexOf(' ') > 0)
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf(' ')), line -> line.substring(line.indexOf(' ') + 1), (a, b) -> b));
    }
}
