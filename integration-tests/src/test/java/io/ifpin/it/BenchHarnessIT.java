package io.ifpin.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench/harness.sh --smoke}: the whole-process benchmark harness of issue 7 runs end to end (lab, C floor,
 * connect app with and without the agent, pinning checked on the server's counters, the table, and issue 13's startup
 * matrix on JDK 17 and Temurin 25 with its targets), and {@code --throughput-only --smoke} (issue 20's comparison), so
 * they cannot rot between full runs. Only that they work is checked, never a time. About 35 and 25 s.
 *
 * <p>It uses the jars this reactor built (bench/target, agent/target) and refuses to build them itself. On timeout
 * the script gets SIGTERM (its trap stops its server and deletes lab {@code bench<pid>}), then our own descendants
 * are killed by PID and the lab is deleted.
 */
class BenchHarnessIT {

    private static final long TIMEOUT_SECONDS = 180;

    @BeforeAll
    static void requireLabHost() {
        ItEnv.requireRoot(); // the scripts make their own labs
        Path jar = ItEnv.repoRoot().resolve("bench/target/benchmarks.jar");
        if (!Files.exists(jar)) {
            ItEnv.unavailable("missing " + jar, "build it: mvn -B package -pl bench -am -DskipTests");
        }
    }

    @Test
    void smokeRunPrintsEveryMeasureAndTarget() throws Exception {
        List<String> lines = run("--smoke");
        String output = "\n--- bench/harness.sh --smoke output:\n" + String.join("\n", lines);

        List<String> missing = new ArrayList<>();
        for (String row : List.of("c_setsockopt_ns c", "c_getsockopt_ns c", "connect_ns c", "connect_ns none",
                "connect_ns agent-0", "connect_ns agent-100", "connect_pinned_ns c-unpinned", "connect_pinned_ns c",
                "connect_pinned_ns agent-100", "startup_ms none", "startup_ms agent-1000", "heap_mb none",
                "heap_mb agent-100", "connects_per_s_t4 none", "connects_per_s_t4 agent-100-pinned",
                "startup_ms empty-agent", "connects_per_s_t4 self-pinned")) {
            String[] parts = row.split(" ");
            // measure, variant, runs = 1, then three positive numbers
            if (lines.stream().noneMatch(l -> l.matches(parts[0] + " +" + parts[1] + " +1( +[0-9.]+){3}"))) {
                missing.add(row);
            }
        }
        assertEquals(List.of(), missing, "rows missing or malformed" + output);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("issue 7 target (run by run)")), output);
        String verdict = ".*(yes|NO|unresolved \\(runs disagree\\)|noise \\(agent < baseline\\))$";
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("startup, 1,000 rules ") && l.matches(verdict)),
                "the startup target is computed" + output);
        assertStartupMatrix(lines, output);
    }

    /**
     * {@code --throughput-only --smoke}: issue 20's comparison, pinned by ifpin against the application pinning its
     * own sockets (FFM on Temurin 25, JNA on JDK 17) with the A/A control, in separate processes and in one, each
     * pinned (checked on the server's counters) and reported round by round with a verdict.
     */
    @Test
    void throughputOnlyComparesIfpinWithTheSelfPinnedApplication() throws Exception {
        List<String> lines = run("--throughput-only", "--smoke");
        String output = "\n--- bench/harness.sh --throughput-only --smoke output:\n" + String.join("\n", lines);
        int feature = Runtime.version().feature();
        List<String> jdks = new ArrayList<>(List.of("jdk" + feature));
        if (TestJdk.JDK_25.locate().isPresent() && feature != 25) {
            jdks.add("jdk25");
        }
        List<String> missing = new ArrayList<>();
        String number = "-?[0-9.]+";
        for (String jdk : jdks) {
            for (String where : List.of(jdk + ": ", jdk + ", one process: ")) {
                for (String row : List.of("connects/s, ifpin / self", "connects/s, A/A: self / self",
                        "CPU us/connect, ifpin - self", "CPU us/connect, A/A: self - self")) {
                    if (lines.stream().noneMatch(l -> l.matches(Pattern.quote(where + row)
                            + " +1( +" + number + "){3}"))) {
                        missing.add(where + row);
                    }
                }
                String verdict = where.substring(0, where.length() - 2) + ": ifpin / self-pinned ";
                if (lines.stream().noneMatch(l -> l.startsWith(verdict) && l.contains("the A/A band"))) {
                    missing.add(verdict + "(verdict)");
                }
            }
        }
        assertEquals(List.of(), missing, "rows missing or malformed" + output);
    }

    /** Runs bench/harness.sh with {@code args} to its end (or the timeout); its output, after checking exit and lab. */
    private static List<String> run(String... args) throws Exception {
        Path repo = ItEnv.repoRoot();
        Path log = Files.createTempFile("ifpin-bench-harness", ".log");
        List<String> command = new ArrayList<>(List.of(repo.resolve("bench/harness.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("IFPIN_BENCH_NO_BUILD", "1");
        // The harness's "java" is the test JVM's: JDK 17 when CI runs it.
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + System.getenv("PATH"));
        Process process = builder.start();
        String labId = "bench" + process.pid();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                stop(process, labId);
            }
        } finally {
            if (process.isAlive()) {
                stop(process, labId);
            }
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        String output = "\n--- bench/harness.sh " + String.join(" ", args) + " output:\n" + String.join("\n", lines);
        assertEquals(0, process.exitValue(), "exit code" + output);
        assertFalse(DemoScriptsIT.namespaces().contains("ifpin-" + labId + "-"), "the harness left its lab behind");
        return lines;
    }

    /**
     * The startup matrix (issue 13): per JDK, a row per agent case with five figures (each "median [min, max]", the
     * agents' signed), the first connect's line, and every startup target judged, with the floor beside the
     * differences from no agent. Temurin 25's part only where it is installed.
     */
    private static void assertStartupMatrix(List<String> lines, String output) {
        String number = "-?[0-9.]+";
        String cell = " +(\\+|-)?" + number + " \\[(\\+|-)?" + number + ", (\\+|-)?" + number + "\\]";
        // the harness's "java" is this JVM's; its Temurin 25 the one TestJdk finds (labels as StartupMatrix.label)
        int feature = Runtime.version().feature();
        List<String> jdks = new ArrayList<>(List.of(feature == 17 ? "JDK 17" : feature == 25 ? "Temurin 25"
                : "Java " + feature));
        if (TestJdk.JDK_25.locate().isPresent() && !jdks.contains("Temurin 25")) {
            jdks.add("Temurin 25");
        }
        List<String> missing = new ArrayList<>();
        for (String jdk : jdks) {
            int block = lines.indexOf(lines.stream().filter(l -> l.startsWith("startup matrix, " + jdk + ": "))
                    .findFirst().orElse(null));
            if (block < 0) {
                missing.add("startup matrix, " + jdk);
                continue;
            }
            List<String> rows = lines.subList(block + 2, Math.min(block + 8, lines.size()));
            for (String row : List.of("no agent", "an agent that does nothing", "ifpin, empty config",
                    "ifpin, 10 rules", "ifpin, 1,000 rules")) {
                if (rows.stream().noneMatch(l -> l.matches(row + " *(" + cell + "){5} *"))) {
                    missing.add(jdk + ": " + row);
                }
            }
            if (rows.stream().noneMatch(l -> l.matches("first connect to the lab's server, from main's first line,"
                    + " ms: no agent" + cell + "; ifpin, 10 rules \\(pinned\\)" + cell))) {
                missing.add(jdk + ": first connect");
            }
            String verdict = " +(yes|NO|unresolved \\(runs disagree\\)|noise \\(agent < baseline\\))";
            String floor = " +(\\+|-)" + number;
            for (String target : List.of("empty config, wall to exit", "10 rules, wall to exit", "10 rules, peak RSS",
                    "1,000 rules, wall to exit")) {
                if (lines.stream().noneMatch(l -> l.startsWith(jdk + ", " + target + " ")
                        && l.matches(".*<= " + number + " (ms|MiB)" + floor + verdict))) {
                    missing.add(jdk + ", " + target);
                }
            }
            if (lines.stream().noneMatch(l -> l.startsWith(jdk + ", 10 rules, main starts after empty config's ")
                    && l.matches(".*" + verdict))) {
                missing.add(jdk + ", main starts");
            }
        }
        if (jdks.contains("Temurin 25") && lines.stream().noneMatch(l -> l.startsWith("Temurin 25, first pinned"
                + " connect, from main's start ") && l.matches(".*<= 100 ms +- +(yes|NO|unresolved.*)"))) {
            missing.add("Temurin 25, first pinned connect");
        }
        assertEquals(List.of(), missing, "startup matrix rows missing or malformed" + output);
    }

    /**
     * {@code bench/dns-lookup.sh --smoke} (issue 14): every variant prints its line with the lab server's answer, so
     * that the script cannot rot; no time is checked. About 15 s.
     */
    @Test
    void dnsLookupSmokeRunPrintsEveryVariant() throws Exception {
        Path repo = ItEnv.repoRoot();
        Path log = Files.createTempFile("ifpin-dns-lookup", ".log");
        ProcessBuilder builder = new ProcessBuilder(repo.resolve("bench/dns-lookup.sh").toString(), "--smoke")
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("IFPIN_BENCH_NO_BUILD", "1");
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + System.getenv("PATH"));
        Process process = builder.start();
        String labId = "dnsb" + process.pid();
        Path resolvConf = Path.of("/etc/netns/ifpin-" + labId + "-c");
        boolean leftResolvConf;
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                stop(process, labId);
            }
        } finally {
            if (process.isAlive()) {
                stop(process, labId);
            }
            leftResolvConf = Files.exists(resolvConf);
            TestFiles.deleteRecursively(resolvConf); // the script's own trap removes it; a killed script does not
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        String output = "\n--- bench/dns-lookup.sh --smoke output:\n" + String.join("\n", lines);
        assertEquals(0, process.exitValue(), "exit code" + output);
        List<String> missing = new ArrayList<>();
        for (String variant : List.of("system +uncached +lookup name=www.bench.example",
                "system\\+ifpin +uncached +lookup name=www.bench.example",
                "ifpin-dns +uncached +lookup name=www.corp.example", "system +cached +lookup name=www.bench.example",
                "system\\+ifpin +cached +lookup name=www.bench.example",
                "ifpin-dns +cached +lookup name=www.corp.example")) {
            if (lines.stream().noneMatch(l -> l.matches(variant + " p50_us=[0-9.]+ mean_us=[0-9.]+"
                    + " answer=203\\.0\\.113\\.20"))) {
                missing.add(variant);
            }
        }
        assertEquals(List.of(), missing, "variants missing, malformed or not answered by the lab's server" + output);
        assertFalse(DemoScriptsIT.namespaces().contains("ifpin-" + labId + "-"), "the script left its lab behind");
        assertFalse(leftResolvConf, "the script left its resolv.conf");
    }

    /** SIGTERM (the script cleans up), then, only if needed, our own descendants and the script by PID. */
    private static void stop(Process process, String labId) throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.waitFor(10, TimeUnit.SECONDS);
            new ProcessBuilder(ItEnv.labScript().toString(), "down", labId).inheritIO().start()
                    .waitFor(60, TimeUnit.SECONDS);
        }
    }
}
