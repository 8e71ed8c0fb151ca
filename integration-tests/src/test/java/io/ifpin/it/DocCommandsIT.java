package io.ifpin.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shell command in README.md, docs/*.md and docs/dev/*.md is exercised, or says why it cannot be here.
 *
 * <p>A command is a line of a plain or shell code block that starts with a program (java, ip, ss, sudo, ...). Each
 * must match one entry of {@link #COMMANDS}: run by this test (in a network-namespace lab like the docs' examples,
 * with the docs' paths pointed at this build), run by a named test or by {@code .ci/run}, or not runnable on this
 * machine, with the reason. A new command in the docs fails this test until it is classified; an entry that no
 * longer matches any command fails it too.
 */
class DocCommandsIT {

    /** How a documented command is exercised. */
    enum How {
        /** Run by this test: exit status 0. */
        RUN_HERE,
        /** Run (this command or the same command with the lab's names) by the test class named in the detail. */
        TESTED_BY,
        /** Not runnable on this machine or needs a running application's PID; the detail says why. */
        NOT_HERE
    }

    record Entry(Pattern pattern, How how, String detail) {
    }

    private static Entry entry(String regex, How how, String detail) {
        return new Entry(Pattern.compile(regex), how, detail);
    }

    private static final String NO_SYSTEMD = "systemd does not run on this machine (DeploymentRecipesIT verifies the"
            + " unit and does what it asks by hand)";

    static final List<Entry> COMMANDS = List.of(
            // the agent's own commands, with the docs' paths pointed at this build
            entry("java -jar \\S*ifpin-agent\\.jar (check|explain|--version).*", How.RUN_HERE, "lab: the CLI"),
            entry("java -jar \\S*ifpin-agent\\.jar learn .*", How.TESTED_BY,
                    "ObserveIT (observe, learn, check, enforce in the lab), CliTest, LearnerTest"),
            entry("java -javaagent:\\S+ -jar \\S+", How.TESTED_BY, "PinningIT"),
            entry("install -D -m 0644 \\S+ \\S+", How.RUN_HERE, "into a temp dir"),
            entry("mvn -B -q package -DskipTests", How.TESTED_BY, "DocCommandsIT (.ci/run builds the same jar with"
                    + " mvn -B verify)"),
            entry("export JAVA_TOOL_OPTIONS=.*", How.TESTED_BY, "DeploymentRecipesIT"),
            entry("setpriv --reuid=<app-user> .*", How.TESTED_BY, "DeploymentRecipesIT"),
            entry("sudo demo/run\\.sh", How.TESTED_BY, "DemoScriptsIT"),
            entry("sudo bench/harness\\.sh.*", How.TESTED_BY, "BenchHarnessIT (bench/harness.sh --smoke)"),
            entry("sudo (BENCH_JAVA=\\S+ )?bench/run\\.sh '[^']+'.*", How.RUN_HERE,
                    "bench smoke (BENCH_SETTINGS: one short iteration)"),
            entry("sudo bench/run\\.sh", How.NOT_HERE, "every JMH benchmark, about 6 minutes; the filtered form of"
                    + " the same script runs here in smoke mode"),
            // read-only diagnostics: run in the lab's client namespace
            // the pages' example interface eth1 is the lab's b0 (localize)
            entry("ip (-6 )?route get \\S+ oif eth1", How.RUN_HERE, "lab"),
            entry("ip (-6 )?route show default", How.RUN_HERE, "lab"),
            entry("ip -br link", How.RUN_HERE, "lab"),
            entry("ip neigh show dev eth1", How.RUN_HERE, "lab"),
            entry("ss -[tu]anp", How.RUN_HERE, "lab"),
            entry("sysctl net\\.ipv4\\.conf\\.all\\.rp_filter net\\.ipv4\\.conf\\.eth1\\.rp_filter", How.RUN_HERE, "lab"),
            entry("sysctl -w net\\.ipv4\\.conf\\.eth1\\.rp_filter=2", How.RUN_HERE, "lab"),
            entry("nstat -az TcpExtIPReversePathFilter", How.RUN_HERE, "lab"),
            entry("findmnt -T /tmp -o TARGET,OPTIONS", How.RUN_HERE, "here"),
            // the fix for the routing trap: demo/routing-trap.sh runs exactly these, with b0
            entry("ip (-6 )?route add default via \\S+ dev eth1 metric 200", How.TESTED_BY,
                    "DemoScriptsIT (the same commands with b0)"),
            // a running process: <pid> is a process this test starts in the lab's client namespace
            entry("nsenter --target <pid> --net (ip -br link|ss -uanp)", How.RUN_HERE, "lab process"),
            entry("getpcaps <pid>", How.RUN_HERE, "lab process"),
            entry("grep (Cap|Seccomp) /proc/<pid>/status", How.RUN_HERE, "lab process"),
            entry("capsh --decode=<CapEff value>", How.RUN_HERE, "here, with CAP_NET_RAW's bit"),
            entry("install -d -o <app-user> -g <app-group> -m 0750 /var/log/ifpin", How.RUN_HERE,
                    "here, for nobody, in a temp dir"),
            // attach or capture until interrupted, or need what this machine lacks
            entry("strace .* -p <pid>.*", How.NOT_HERE, "attaches until interrupted; run by hand on the test machine"
                    + " (docs/dev/lab-notes.md#commands-of-the-troubleshooting-page)"),
            entry("grep '\\\\\\[ifpin\\\\\\]' app\\.log", How.NOT_HERE, "reads the application's own log file"),
            entry("tcpdump -ni eth1 .*", How.NOT_HERE, "captures until interrupted; run by hand on the test machine"),
            entry("systemctl .*", How.NOT_HERE, NO_SYSTEMD),
            entry("journalctl .*", How.NOT_HERE, NO_SYSTEMD),
            entry("docker run .*", How.NOT_HERE, "no Docker engine on this machine (DeploymentRecipesIT checks its"
                    + " JAVA_TOOL_OPTIONS and runs the JVM the way it would)"));

    /** First words that make a code-block line a command. */
    private static final Pattern PROGRAM = Pattern.compile("^(java|sudo|ip|nsenter|ss|sysctl|grep|tcpdump|strace|"
            + "systemctl|journalctl|docker|kubectl|setpriv|capsh|getpcaps|findmnt|install|export|runuser|nstat|mvn|"
            + "jcmd|sha256sum|scripts/\\S+|bench/\\S+|demo/\\S+)(\\s|$)");

    record DocCommand(String file, String command) {
        @Override
        public String toString() {
            return file + ": " + command;
        }
    }

    static List<DocCommand> documentedCommands() {
        Path root = ItEnv.repoRoot();
        List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"), 2)) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<DocCommand> out = new ArrayList<>();
        Pattern block = Pattern.compile("^( *)```(\\w*)\\n(.*?)^\\1```", Pattern.DOTALL | Pattern.MULTILINE);
        for (Path file : files) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Matcher m = block.matcher(text);
            while (m.find()) {
                if (!List.of("", "sh", "bash", "shell", "console").contains(m.group(2))) {
                    continue;
                }
                for (String line : m.group(3).replaceAll("\\\\\\n\\s*", " ").split("\n")) {
                    String command = line.strip().replaceFirst("^\\$ ", "").replaceFirst("\\s+#.*$", "");
                    if (PROGRAM.matcher(command).find()) {
                        out.add(new DocCommand(root.relativize(file).toString(), command.replaceAll("\\s+", " ")));
                    }
                }
            }
        }
        return out;
    }

    static Entry classify(DocCommand command) {
        return COMMANDS.stream().filter(e -> e.pattern().matcher(command.command()).matches()).findFirst().orElse(null);
    }

    private static NetnsLab lab;
    private static Path work;
    /** Stands for the application whose <pid> the diagnostics take: a sleep in the lab's client namespace. */
    private static Process labProcess;

    @BeforeAll
    static void startLab() throws IOException {
        lab = NetnsLab.start("doc");
        work = TestFiles.tempDir("ifpin-doc-commands");
        labProcess = new ProcessBuilder(lab.inClient(List.of("sleep", "600"))).start(); // exec: the pid is sleep's
    }

    @AfterAll
    static void stopLab() {
        if (labProcess != null) {
            labProcess.destroyForcibly(); // ours, by its PID
        }
        if (lab != null) {
            lab.close();
        }
        TestFiles.deleteRecursively(work);
    }

    @Test
    void everyDocumentedCommandIsClassifiedAndEveryEntryIsUsed() {
        List<DocCommand> commands = documentedCommands();
        assertTrue(commands.size() > 30, "found only " + commands.size() + " commands: is the parser broken?");
        List<String> unclassified = commands.stream().filter(c -> classify(c) == null).map(DocCommand::toString)
                .toList();
        assertEquals(List.of(), unclassified, "commands in the docs that no test runs and no entry of"
                + " DocCommandsIT.COMMANDS explains: run them in a test, or add an entry");
        List<String> unused = COMMANDS.stream()
                .filter(e -> commands.stream().noneMatch(c -> e.pattern().matcher(c.command()).matches()))
                .map(e -> e.pattern().pattern()).toList();
        assertEquals(List.of(), unused, "entries that match no documented command any more: remove them");
        Map<How, Long> counts = commands.stream().collect(Collectors.groupingBy(c -> classify(c).how(),
                LinkedHashMap::new, Collectors.counting()));
        System.out.println("DocCommandsIT: " + commands.size() + " documented commands: " + counts);
    }

    @Test
    void theTestsNamedForCommandsExist() {
        for (Entry entry : COMMANDS) {
            if (entry.how() == How.TESTED_BY) {
                String name = entry.detail().split(" ")[0];
                Path source = ItEnv.repoRoot().resolve("integration-tests/src/test/java/io/ifpin/it/" + name + ".java");
                assertTrue(Files.exists(source), entry.pattern() + " names " + name + ", which does not exist");
            }
        }
        String ci = read(ItEnv.repoRoot().resolve(".ci/run"));
        assertTrue(ci.contains("scripts/test.sh"), ".ci/run must run the README's test command:\n" + ci);
    }

    @TestFactory
    Stream<DynamicTest> theCommandsThatRunHereExitZero() {
        return documentedCommands().stream().filter(c -> classify(c).how() == How.RUN_HERE).distinct()
                .map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
                    List<String> argv = localize(c.command());
                    Map<String, String> env = new LinkedHashMap<>();
                    if (argv.get(0).equals("sudo")) {
                        argv.remove(0); // the tests run as root
                    }
                    while (argv.get(0).matches("[A-Z_]+=.*")) {
                        String assignment = argv.remove(0);
                        env.put(assignment.substring(0, assignment.indexOf('=')),
                                assignment.substring(assignment.indexOf('=') + 1));
                    }
                    if (argv.get(0).startsWith("bench/")) {
                        argv.set(0, ItEnv.repoRoot().resolve(argv.get(0)).toString());
                        argv.replaceAll(a -> a.replaceAll("^'(.*)'$", "$1")); // the shell's quotes
                        env.put("BENCH_SETTINGS", "-f 1 -wi 0 -i 1 -r 100ms");
                    }
                    String how = classify(c).detail();
                    boolean inLab = how.startsWith("lab");
                    Commands.Result result = exec(inLab ? lab.inClient(argv) : argv, env);
                    assertEquals(0, result.exitCode(), String.join(" ", argv) + "\n" + result.output());
                }));
    }

    /** The docs' paths and example names, pointed at this build and the lab. */
    private List<String> localize(String command) {
        Path opt = work.resolve("opt/ifpin");
        Path logDir = work.resolve("var/log/ifpin");
        String localized = command
                .replaceAll("\\beth1\\b", "b0")
                .replace("<pid>", String.valueOf(labProcess.pid()))
                .replace("<CapEff value>", "0000000000002000")
                .replace("<app-user>", "nobody").replace("<app-group>", "nogroup")
                .replace("/var/log/ifpin", logDir.toString())
                .replaceAll("(?<![/\\w])config-samples/", ItEnv.repoRoot().resolve("config-samples") + "/")
                .replaceAll("(?<![/\\w])agent/target/ifpin-agent\\.jar", ItEnv.agentJar().toString())
                .replaceAll("(?<![/\\w])ifpin-agent\\.jar", ItEnv.agentJar().toString())
                .replace("/opt/ifpin/ifpin-agent.jar", opt.resolve("ifpin-agent.jar").toString())
                .replace("/etc/ifpin/ifpin.conf", work.resolve("etc/ifpin/ifpin.conf").toString())
                .replace("/etc/ifpin.conf", ItEnv.repoRoot().resolve("config-samples/demo.conf").toString());
        if (localized.contains("&&") || localized.contains("|")) {
            return new ArrayList<>(List.of("bash", "-c", localized));
        }
        List<String> argv = new ArrayList<>(List.of(localized.split(" ")));
        if (argv.get(0).equals("java")) {
            argv.set(0, TestJdk.JDK_17.java().toString());
            argv.add(1, "-Djdk.net.hosts.file=" + TestFiles.writeHosts(work));
            // The documented install steps come first in the docs; make their result exist whatever the order.
            if (command.contains("/opt/ifpin/")) {
                TestFiles.copyReplacing(ItEnv.agentJar(), opt.resolve("ifpin-agent.jar"));
            }
            if (command.contains("/etc/ifpin/ifpin.conf")) {
                TestFiles.copyReplacing(ItEnv.repoRoot().resolve("config-samples/demo.conf"), work.resolve("etc/ifpin/ifpin.conf"));
            }
        }
        return argv;
    }

    private static Commands.Result exec(List<String> argv, Map<String, String> env) {
        return Commands.run(argv, env, Duration.ofSeconds(180));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
