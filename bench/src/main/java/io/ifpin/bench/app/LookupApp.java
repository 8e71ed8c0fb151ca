package io.ifpin.bench.app;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * bench/dns-lookup.sh's application: {@code LookupApp NAME WARMUP COUNT [BATCH]} times {@code COUNT} batches of
 * {@code BATCH} (default 1) calls of {@code InetAddress.getAllByName(NAME)} after {@code WARMUP} untimed calls, and
 * prints {@code lookup name=NAME p50_us=.. mean_us=.. answer=..} per call (a batch's time divided by its size). Run with {@code -Dsun.net.inetaddr.ttl=0} every call
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
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        InetAddress[] answer = null;
        for (int i = 0; i < warmup; i++) {
            answer = InetAddress.getAllByName(name);
        }
        long[] nanos = new long[count];
        long total = 0;
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            for (int j = 0; j < batch; j++) {
                answer = InetAddress.getAllByName(name);
            }
            nanos[i] = (System.nanoTime() - start) / batch;
            total += nanos[i];
        }
        Arrays.sort(nanos);
        System.out.printf("lookup name=%s p50_us=%.2f mean_us=%.2f answer=%s%n", name, nanos[count / 2] / 1000.0,
                total / 1000.0 / count, answer == null ? "-" : answer[0].getHostAddress());
    }
}
