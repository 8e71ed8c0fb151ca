package io.ifpin.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where things are (paths handed over by failsafe as system properties, with fallbacks for runs
 * from an IDE in the module directory) and the root/CI policy for missing prerequisites.
 */
public final class ItEnv {

    private ItEnv() {
    }

    /** CI sets CI=true: there a missing prerequisite is a failure, never a silent skip. */
    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** How to give the tests a network lab, for skip/failure messages. */
    public static final String HOW_TO_RUN_AS_ROOT = "the ifpin integration tests create network namespaces and need "
            + "root and iproute2: run them as root, e.g. cd <repo> && sudo mvn -B verify";

    /**
     * A prerequisite of the test environment (root, iproute2, a JDK) is missing: fail on CI,
     * skip elsewhere, in both cases saying why and how to run the tests properly.
     */
    public static <T> T unavailable(String reason, String howToFix) {
        String message = reason + " — " + howToFix;
        if (isCi()) {
            return Assertions.fail("CI=true, so not skipping: " + message);
        }
        return Assumptions.abort(message);
    }

    /** For tests that need root but no lab (mount, another user's files): the same check and policy as a lab's. */
    public static void requireRoot() {
        String problem = NetnsLab.hostProblem();
        if (problem != null) {
            unavailable(problem, HOW_TO_RUN_AS_ROOT);
        }
    }

    public static Path repoRoot() {
        return path("ifpin.repo.root", "..");
    }

    public static Path labScript() {
        return existing(repoRoot().resolve("scripts/netns-lab.sh"), "the lab script");
    }

    /** The agent is a build product of this reactor: its absence is a build error, not a skip. */
    public static Path agentJar() {
        return existing(path("ifpin.agent.jar", "../agent/target/ifpin-agent.jar"),
                "the agent jar (build it: mvn -B -pl agent -am package -DskipTests)");
    }

    public static Path demoJar() {
        return existing(path("ifpin.demo.jar", "../demo-app/target/demo-app.jar"),
                "the demo app jar (build it: mvn -B -pl demo-app package)");
    }

    /** target/test-classes of this module: the test-only apps (IsolationApp, UdpTwoDestinationsApp). */
    public static Path testClasses() {
        return existing(path("ifpin.test.classes", "target/test-classes"), "this module's test classes");
    }

    /** The OLD JNA/ByteBuddy/Config jars copied by maven-dependency-plugin for IsolationIT. */
    public static Path isolationLibs() {
        return existing(path("ifpin.isolation.libs", "target/isolation-libs"),
                "the isolation test's libraries (run through Maven: mvn -B verify)");
    }

    /** The Prometheus JMX exporter's agent jar, copied by maven-dependency-plugin for DeploymentRecipesIT. */
    public static Path jmxExporterJar() {
        return existing(path("ifpin.jmx.exporter.jar", "target/jmx-exporter/jmx_prometheus_javaagent.jar"),
                "the Prometheus JMX exporter agent (run through Maven: mvn -B verify)");
    }

    public static String property(String name, String fallback) {
        return System.getProperty(name, fallback);
    }

    private static Path path(String property, String fallback) {
        return Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
    }

    private static Path existing(Path path, String what) {
        if (!Files.exists(path)) {
            Assertions.fail("missing " + what + ": " + path);
        }
        return path;
    }
}
