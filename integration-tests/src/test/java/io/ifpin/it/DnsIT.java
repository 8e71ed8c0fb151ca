package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.DnsApp;
import io.ifpin.it.apps.LabDnsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14 against the real kernel: a rule's names are resolved by its own DNS server over its interface. The lab's
 * server namespace runs {@link LabDnsServer} on 203.0.113.10 / 2001:db8:f::10 (reachable by both links), which answers
 * the corp.example names only to queries that arrive through b0 and NXDOMAIN otherwise, and logs every query with
 * its source. Without ifpin the system resolver (the lab has none for these names) fails; with a rule that has
 * {@code dns}, the application reaches the internal address by name, through b0, and no query arrives from the a0
 * side.
 */
class DnsIT {
    private static final String B0_V4 = "198.51.100.2";
    private static final String B0_V6 = "2001:db8:b::2";

    private static NetnsLab lab;
    private static Path work;
    private static Process dns;
    private static final List<String> dnsLog = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startLab() throws Exception {
        lab = NetnsLab.start("dns");
        work = TestFiles.tempDir("ifpin-dns");
        List<String> cmd = List.of(ItEnv.labScript().toString(), "exec-server", lab.id(),
                TestJdk.currentJava().toString(), "-XX:-UsePerfData", "-cp", ItEnv.testClasses().toString(),
                LabDnsServer.class.getName(), "203.0.113.10", "2001:db8:f::10");
        dns = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        dns.getOutputStream().close();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(dns.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    dnsLog.add(line);
                    if (line.startsWith("DNS READY")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                dnsLog.add("(reader failed: " + e + ")");
            }
        }, "dns-it-server-out");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("LabDnsServer did not start: " + dnsLog);
        }
    }

    @AfterAll
    static void stopLab() throws InterruptedException {
        if (dns != null) {
            dns.destroy(); // our own child, by its handle
            if (!dns.waitFor(10, TimeUnit.SECONDS)) {
                dns.destroyForcibly();
            }
        }
        if (lab != null) {
            lab.close();
        }
        TestFiles.deleteRecursively(work);
    }

    /**
     * The system resolver of every child is a hosts file with decoy addresses for the internal names: an answer with
     * a decoy proves the system resolver was asked.
     */
    private static Path decoyHosts() {
        return TestFiles.write(work.resolve("hosts"), "192.0.2.99 internal.corp.example\n"
                + "192.0.2.99 secret.corp.example\n");
    }

    private static ChildResult run(TestJdk jdk, Path config, String... args) {
        return run(ChildJvm.on(jdk), config, args);
    }

    private static ChildResult run(ChildJvm child, Path config, String... args) {
        child.classpath(ItEnv.testClasses()).main(DnsApp.class.getName(), args)
                .hostsFile(decoyHosts()).timeout(Duration.ofMinutes(2));
        if (config != null) {
            child.agent(ItEnv.agentJar(), config);
        }
        return child.runIn(lab);
    }

    private static String line(ChildResult result, String prefix) {
        return result.stdout().stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting \"" + prefix + "\"" + result.describe()));
    }

    /** The queries the DNS server logged while {@code action} ran. */
    private static List<String> queriesDuring(Runnable action) {
        int before = dnsLog.size();
        action.run();
        List<String> all = dnsLog;
        return all.subList(before, all.size()).stream().filter(l -> l.startsWith("QUERY ")).toList();
    }

    private static Path corpRule(String name, String dnsServers, String extra) {
        return TestFiles.write(work.resolve(name + ".conf"), """
                ifpin.rules = [
                  { name = no-secret, hosts = ["secret.corp.example"], action = deny }
                  { name = corp, hosts = ["*.corp.example"], interface = b0, dns = [%s] %s }
                ]
                """.formatted(dnsServers, extra));
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void withoutIfpinTheSystemResolverGivesTheDecoy(TestJdk jdk) {
        ChildResult r = run(jdk, null, "lookup", "internal.corp.example", "lookup", "v6only.corp.example");
        assertEquals("LOOKUP internal.corp.example OK [192.0.2.99]", line(r, "LOOKUP internal."),
                "the control: the system resolver (a hosts file here) has the public answer" + r.describe());
        assertTrue(line(r, "LOOKUP v6only.").contains("FAILED java.net.UnknownHostException"), r.describe());
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void aRulesNamesAreResolvedByItsServerThroughItsInterfaceOverIpv4(TestJdk jdk) {
        Path audit = work.resolve("audit-" + jdk + ".jsonl");
        Path conf = TestFiles.write(work.resolve("v4-" + jdk + ".conf"), """
                ifpin.audit.file = "%s"
                ifpin.rules = [
                  { name = corp, hosts = ["*.corp.example"], interface = b0, dns = ["203.0.113.10"] }
                ]
                """.formatted(audit));
        ChildResult[] result = new ChildResult[1];
        List<String> queries = queriesDuring(() -> result[0] = run(jdk, conf,
                "lookup", "internal.corp.example", "lookup", "v6only.corp.example", "lookup", "alias.corp.example",
                "lookup", "big.corp.example", "socket", "internal.corp.example", "7000",
                "http", "alias.corp.example", "7080", "url", "internal.corp.example", "7080"));
        ChildResult r = result[0];
        assertEquals("LOOKUP internal.corp.example OK [203.0.113.20]", line(r, "LOOKUP internal."), r.describe());
        assertEquals("LOOKUP v6only.corp.example OK [2001:db8:f:0:0:0:0:20]", line(r, "LOOKUP v6only."),
                "an AAAA-only name" + r.describe());
        assertEquals("LOOKUP alias.corp.example OK [203.0.113.20]", line(r, "LOOKUP alias."), "CNAME followed"
                + r.describe());
        assertEquals("LOOKUP big.corp.example OK [203.0.113.20]", line(r, "LOOKUP big."), "TCP after a truncated"
                + " UDP answer" + r.describe());
        assertEquals("SOCKET internal.corp.example OK 203.0.113.20", line(r, "SOCKET"), r.describe());
        assertEquals("HTTP alias.corp.example 200", line(r, "HTTP"), "java.net.http" + r.describe());
        assertEquals("URL internal.corp.example 200", line(r, "URL"), "HttpURLConnection" + r.describe());
        assertTrue(lab.awaitServerLine(l -> l.startsWith("SAW tcp " + B0_V4 + ":"), Duration.ofSeconds(5)).isPresent(),
                "the Socket left by b0: " + lab.serverLog());
        assertTrue(lab.awaitServerLine(l -> l.startsWith("SAW http " + B0_V4 + ":"), Duration.ofSeconds(5))
                .isPresent(), "the HTTP request left by b0: " + lab.serverLog());
        assertTrue(queries.stream().anyMatch(q -> q.startsWith("QUERY tcp " + B0_V4 + " big.corp.example A")),
                "TCP query through b0: " + queries);
        assertTrue(queries.stream().allMatch(q -> q.startsWith("QUERY udp " + B0_V4 + " ")
                        || q.startsWith("QUERY tcp " + B0_V4 + " ")),
                "every query arrived through b0, none through a0: " + queries);
        assertTrue(queries.size() >= 5, "the queries were made: " + queries);
        assertTrue(r.agentLines().stream().anyMatch(l -> l.contains("corp: hosts [*.corp.example] dns [203.0.113.10]"
                + " -> b0")), "the startup line lists the rule's dns" + r.describe());
        List<String> records;
        try {
            records = java.nio.file.Files.readAllLines(audit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(records.stream().anyMatch(l -> l.contains("\"rule\":\"corp\"") && l.contains("\"action\":\"lookup\"")
                && l.contains("\"protocol\":\"dns\"") && l.contains("\"remote\":\"203.0.113.10\"")
                && l.contains("\"host\":\"internal.corp.example\"") && l.contains("\"interface\":\"b0\"")
                && l.contains("\"result\":\"resolved\"")), "an audit record per lookup: " + records);
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void theRulesOwnFailOpenLetsTheSystemResolverAnswerWhenItsServersAreDead(TestJdk jdk) {
        Path conf = corpRule("open-" + jdk, "\"203.0.113.10:5399\"", ", on-error = fail-open");
        ChildResult r = run(jdk, conf, "lookup", "internal.corp.example");
        assertEquals("LOOKUP internal.corp.example OK [192.0.2.99]", line(r, "LOOKUP"), r.describe());
        assertTrue(r.agentLines().stream().anyMatch(l -> l.contains("WARN ifpin rule \"corp\"") && l.contains(
                "on-error = fail-open lets the system resolver answer instead")), r.describe());
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void aRulesNamesAreResolvedByItsServerThroughItsInterfaceOverIpv6(TestJdk jdk) {
        Path conf = corpRule("v6-" + jdk, "\"[2001:db8:f::10]:53\"", "");
        ChildResult[] result = new ChildResult[1];
        List<String> queries = queriesDuring(() -> result[0] = run(jdk, conf,
                "lookup", "v6only.corp.example", "socket", "v6only.corp.example", "7000"));
        ChildResult r = result[0];
        assertEquals("LOOKUP v6only.corp.example OK [2001:db8:f:0:0:0:0:20]", line(r, "LOOKUP"), r.describe());
        assertEquals("SOCKET v6only.corp.example OK 2001:db8:f:0:0:0:0:20", line(r, "SOCKET"), r.describe());
        assertTrue(lab.awaitServerLine(l -> l.startsWith("SAW tcp [" + B0_V6 + "]:"), Duration.ofSeconds(5))
                .isPresent(), "the Socket left by b0: " + lab.serverLog());
        assertTrue(!queries.isEmpty() && queries.stream().allMatch(q -> q.startsWith("QUERY udp 2001:db8:b:0:0:0:0:2 ")),
                "every query arrived through b0 over IPv6: " + queries);
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void addressFamiliesAndOrderFollowTheJdksProperties(TestJdk jdk) {
        Path conf = corpRule("families-" + jdk, "\"203.0.113.10\"", "");
        ChildResult usual = run(jdk, conf, "lookup", "dual.corp.example");
        assertEquals("LOOKUP dual.corp.example OK [203.0.113.20, 2001:db8:f:0:0:0:0:20]", line(usual, "LOOKUP"),
                "IPv4 first by default" + usual.describe());
        ChildResult v6First = run(ChildJvm.on(jdk).jvmOption("-Djava.net.preferIPv6Addresses=true"), conf,
                "lookup", "dual.corp.example");
        assertEquals("LOOKUP dual.corp.example OK [2001:db8:f:0:0:0:0:20, 203.0.113.20]", line(v6First, "LOOKUP"),
                v6First.describe());
        List<String> queries = queriesDuring(() -> {
            ChildResult v4Only = run(ChildJvm.on(jdk).jvmOption("-Djava.net.preferIPv4Stack=true"), conf,
                    "lookup", "dual.corp.example");
            assertEquals("LOOKUP dual.corp.example OK [203.0.113.20]", line(v4Only, "LOOKUP"), v4Only.describe());
        });
        assertEquals(List.of("QUERY udp 198.51.100.2 dual.corp.example A"), queries, "no AAAA query with"
                + " preferIPv4Stack");
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void aDeniedNameSendsNoQueryAndAnUnknownNameIsNotAskedElsewhere(TestJdk jdk) {
        Path conf = corpRule("deny-" + jdk, "\"203.0.113.10\"", "");
        ChildResult[] result = new ChildResult[1];
        List<String> queries = queriesDuring(() -> result[0] = run(jdk, conf,
                "lookup", "secret.corp.example", "lookup", "missing.corp.example"));
        ChildResult r = result[0];
        assertTrue(line(r, "LOOKUP secret.").contains("FAILED java.net.UnknownHostException: secret.corp.example:"
                + " refused by ifpin rule \"no-secret\" (deny, " + conf + ":2); no DNS query was sent"), r.describe());
        assertTrue(line(r, "LOOKUP missing.").contains("FAILED java.net.UnknownHostException: missing.corp.example:"
                + " no such name (NXDOMAIN) from ifpin rule \"corp\" (DNS servers [203.0.113.10] over interface b0)"),
                r.describe());
        assertTrue(queries.stream().noneMatch(q -> q.contains("secret.corp.example")), "no query for a denied name: "
                + queries);
        assertTrue(queries.stream().allMatch(q -> q.startsWith("QUERY udp " + B0_V4 + " missing.corp.example")),
                "the unknown name was asked through b0 only: " + queries);
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void aDeadServerGivesTheNamedErrorAndNoLeak(TestJdk jdk) {
        Path conf = corpRule("dead-" + jdk, "\"203.0.113.10:5399\"", "");
        ChildResult[] result = new ChildResult[1];
        List<String> queries = queriesDuring(() -> result[0] = run(jdk, conf, "lookup", "internal.corp.example"));
        ChildResult r = result[0];
        assertTrue(line(r, "LOOKUP").contains("FAILED java.net.UnknownHostException: internal.corp.example: ifpin"
                + " rule \"corp\" (DNS servers [203.0.113.10:5399] over interface b0) did not answer ("), r.describe());
        assertTrue(line(r, "LOOKUP").endsWith("the system resolver is not asked"), r.describe());
        assertTrue(r.agentLines().stream().anyMatch(l -> l.contains("WARN ifpin rule \"corp\"") && l.contains("Fix:")),
                r.describe());
        assertEquals(List.of(), queries, "nothing reached port 53 (the dead port is elsewhere)");
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void anAnswerLeavesTheJdksCacheWhenItsTtlEndsNotAtNetworkaddressCacheTtl(TestJdk jdk) {
        Path conf = corpRule("ttl-" + jdk, "\"203.0.113.10\"", "");
        ChildResult[] result = new ChildResult[1];
        List<String> queries = queriesDuring(() -> result[0] = run(jdk, conf,
                "lookup", "short.corp.example", "lookup", "internal.corp.example", "sleep", "2500",
                "lookup", "short.corp.example", "lookup", "internal.corp.example"));
        ChildResult r = result[0];
        assertEquals(2, r.stdout().stream().filter(l -> l.equals("LOOKUP short.corp.example OK [203.0.113.20]"))
                .count(), r.describe());
        assertEquals(2, queries.stream().filter(q -> q.endsWith(" short.corp.example A")).count(),
                "TTL 1 s: asked again after 2.5 s, although the JDK caches for 30 s: " + queries);
        assertEquals(1, queries.stream().filter(q -> q.endsWith(" internal.corp.example A")).count(),
                "TTL 60 s: the JDK's 30 s rule, so the second lookup is the JDK's cached answer: " + queries);
    }

    /**
     * Libraries that resolve through the JDK, by name, in LegacyApp's cases: each reaches the internal address by the
     * name through b0 (the peer server sees b0's address), and the rule's server was asked only through b0. The
     * system resolver (the decoy hosts file) would have given 192.0.2.99.
     */
    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void librariesOnTheJdkResolverGetTheRulesAnswer(TestJdk jdk) {
        Path conf = TestFiles.write(work.resolve("libs-" + jdk + ".conf"), """
                ifpin.rules = [ { name = corp, hosts = ["*.corp.example"], interface = b0, dns = ["203.0.113.10"] } ]
                """);
        List<String> cases = List.of("socket", "http-client", "url-connection", "okhttp", "apache-httpclient-classic",
                "apache-httpclient-async", "netty-nio");
        ChildResult[] result = new ChildResult[1];
        List<String> queries = queriesDuring(() -> result[0] = ChildJvm.on(jdk).agent(ItEnv.agentJar(), conf)
                .hostsFile(decoyHosts()).classpath(ItEnv.demoJar()).timeout(Duration.ofMinutes(2))
                .main("io.ifpin.demo.LegacyApp", "--cases", String.join(",", cases), "--expect", B0_V4,
                        "internal.corp.example").runIn(lab));
        ChildResult r = result[0];
        for (String name : cases) {
            assertTrue(r.stdout().stream().anyMatch(l -> l.startsWith(name + " tcp PEER " + B0_V4 + " ")
                    && l.endsWith(" OK")), name + " reached 203.0.113.20 by name through b0" + r.describe());
        }
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(!queries.isEmpty() && queries.stream().allMatch(q -> q.startsWith("QUERY udp " + B0_V4 + " ")),
                "every query arrived through b0: " + queries);
    }

    /** Issue 14: a reload that brings the first dns rule installs the name-lookup hook; no restart. */
    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void aReloadThatAddsTheFirstDnsRuleTakesEffectWithoutARestart(TestJdk jdk) {
        Path conf = TestFiles.write(work.resolve("reload-" + jdk + ".conf"), """
                ifpin.reload-interval = 200ms
                ifpin.rules = []
                """);
        Path withDns = TestFiles.write(work.resolve("reload-dns-" + jdk + ".txt"), """
                ifpin.reload-interval = 200ms
                ifpin.rules = [ { name = corp, hosts = ["*.corp.example"], interface = b0, dns = ["203.0.113.10"] } ]
                """);
        ChildResult r = run(ChildJvm.on(jdk).jvmOption("-Dsun.net.inetaddr.ttl=0"), conf,
                "lookup", "internal.corp.example", "copy", withDns.toString(), conf.toString(),
                "await", "internal.corp.example", "203.0.113.20", "socket", "internal.corp.example", "7000");
        assertEquals("LOOKUP internal.corp.example OK [192.0.2.99]", line(r, "LOOKUP"),
                "before the reload: no rule, the system resolver" + r.describe());
        assertEquals("AWAIT internal.corp.example OK [203.0.113.20]", line(r, "AWAIT"), r.describe());
        assertEquals("SOCKET internal.corp.example OK 203.0.113.20", line(r, "SOCKET"), r.describe());
        assertTrue(r.agentLines().stream().anyMatch(l -> l.contains("ifpin decides their lookups from now on")),
                r.describe());
    }

    /** explain asks the rule's servers itself, over a socket it pins to the rule's interface (java -jar: no agent). */
    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void explainAsksTheRulesServersThroughTheRulesInterface(TestJdk jdk) {
        Path conf = corpRule("explain-" + jdk, "\"203.0.113.10\"", "");
        ChildResult[] result = new ChildResult[1];
        List<String> queries = queriesDuring(() -> result[0] = ChildJvm.on(jdk).hostsFile(decoyHosts())
                .timeout(Duration.ofMinutes(1)).main("-jar", ItEnv.agentJar().toString(), "explain", conf.toString(),
                        "internal.corp.example").runIn(lab));
        ChildResult r = result[0];
        String out = String.join("\n", r.stdout());
        assertTrue(out.contains("name lookup: rule 'corp' (" + conf + ":3) decides it: DNS servers [203.0.113.10] over"
                + " interface b0 (never the system resolver)"), out + r.describe());
        assertTrue(out.contains("answer now (asked by explain itself, over its own socket pinned to b0; the"
                + " application asks the same way): 203.0.113.20 from 203.0.113.10 (TTL 60 s)"), out + r.describe());
        assertTrue(!queries.isEmpty() && queries.stream().allMatch(q -> q.startsWith("QUERY udp " + B0_V4
                + " internal.corp.example ")), "explain's queries arrived through b0: " + queries);

        ChildResult missing = ChildJvm.on(jdk).hostsFile(decoyHosts()).timeout(Duration.ofMinutes(1))
                .main("-jar", ItEnv.agentJar().toString(), "explain", conf.toString(), "missing.corp.example")
                .runIn(lab);
        assertTrue(String.join("\n", missing.stdout()).contains("the application asks the same way): no such name"
                + " (NXDOMAIN) from 203.0.113.10"), missing.describe());
    }
}
