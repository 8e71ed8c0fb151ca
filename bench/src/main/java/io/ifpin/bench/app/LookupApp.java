package io.ifpin.bench.app;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * bench/dns-lookup.sh's application: {@code LookupApp NAME WARMUP COUNT} times {@code COUNT} calls of
 * {@code InetAddress.getAllByName(NAME)} after {@code WARMUP} untimed ones, and prints
 * {@code lookup name=NAME p50_us=.. mean_us=.. answer=..}. Run with {@code -Dsun.net.inetaddr.ttl=0} every call
 * asks the resolver (the JDK caches nothing); with the JDK's default policy, every call after the first is a hit of
 * the JDK's cache.
 */
public final class LookupApp {

    private LookupApp() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int warmup = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        InetAddress[] answer = null;
        for (int i = 0; i < warmup; i++) {
            answer = InetAddress.getAllByName(name);
        }
        long[] nanos = new long[count];
        long total = 0;
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            answer = InetAddress.getAllByName(name);
            nanos[i] = System.nanoTime() - start;
            total += nanos[i];
        }
        Arrays.sort(nanos);
        System.out.printf("lookup name=%s p50_us=%.2f mean_us=%.2f answer=%s%n", name, nanos[count / 2] / 1000.0,
                total / 1000.0 / count, answer == null ? "-" : answer[0].getHostAddress());
    }
}
