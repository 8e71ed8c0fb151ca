package io.ifpin.bench;

import io.ifpin.bridge.PinBridge;
import io.ifpin.config.ConfigLoader;
import io.ifpin.dns.NameLookupHook;
import io.ifpin.dns.NameResolution;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * What the name-lookup hook adds to a lookup no rule decides: {@code PinBridge.lookupName}, the call the patched
 * {@code InetAddress.getAddressesFromNameService} makes on every miss of the JDK's cache (a hit never reaches it).
 * <ul>
 *   <li>{@code noHook}: the bridge when no rule decides names (no hook: one volatile read);</li>
 *   <li>{@code unmatched}: a hook with {@code rules} rules that have {@code dns} (each {@code *.corpN.example}), and a
 *       name none of them matches: the whole added cost before the JDK asks its own resolver.</li>
 * </ul>
 * The lookup that follows (the system resolver, tens of microseconds or more) is bench/dns-lookup.sh's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class NameHookBenchmark {

    @Param({"1", "100"})
    public int rules;

    private String name;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        name = "www.unmatched.example";
        if (params.getBenchmark().endsWith(".noHook")) {
            PinBridge.installNameHook(null);
            return;
        }
        StringBuilder hocon = new StringBuilder("ifpin.rules = [\n");
        for (int i = 0; i < rules; i++) {
            hocon.append("  { name = corp").append(i).append(", hosts = [\"*.corp").append(i)
                    .append(".example\"], interface = b0, dns = [\"192.0.2.53\"] }\n");
        }
        NameResolution names = NameResolution.forRules(ConfigLoader.parse(hocon + "]\n", "bench.conf").rules());
        PinBridge.installNameHook(new NameLookupHook(names));
        if (PinBridge.lookupName(name) != null) {
            throw new IllegalStateException("the name must match no rule");
        }
    }

    @Benchmark
    public InetAddress[] noHook() throws Exception {
        return PinBridge.lookupName(name);
    }

    @Benchmark
    public InetAddress[] unmatched() throws Exception {
        return PinBridge.lookupName(name);
    }
}
