package io.ifpin.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.security.SecureRandom;

/**
 * Resolves a name by asking a rule's DNS servers: A and/or AAAA in the order the JDK would use them
 * ({@link AddressFamilies}), each server in turn for each attempt, UDP first and TCP when the answer is truncated,
 * CNAME chains followed (within the answer, then by asking again for the chain's end).
 */
final class DnsResolver {

    /** Per query and server; the JDK's resolver (glibc) defaults to 5 s, which leaves applications hanging. */
    static final int TIMEOUT_MILLIS = 2000;
    /** Rounds over all servers. */
    static final int ATTEMPTS = 2;
    private static final int MAX_CNAME_HOPS = 8;

    /**
     * The servers answered: the name has these addresses (possibly none, which the JDK reports as unknown), valid for
     * {@code ttlSeconds}, the smallest TTL of the records the answer was made of (CNAMEs and addresses).
     */
    record Result(List<InetAddress> addresses, String answeredBy, long ttlSeconds) {
    }

    /** No server gave a usable answer (timeouts, refusals, SERVFAIL, unreadable responses). */
    static final class ServersFailedException extends Exception {
        ServersFailedException(String message) {
            super(message);
        }
    }

    /** A server says the name does not exist (NXDOMAIN). */
    static final class NoSuchNameException extends Exception {
        final String server;

        NoSuchNameException(String server) {
            super("NXDOMAIN from " + server);
            this.server = server;
        }
    }

    private final List<DnsServer> servers;
    private final DnsTransport transport;
    private final AddressFamilies families;
    private final int timeoutMillis;
    private final int attempts;

    DnsResolver(List<DnsServer> servers, DnsTransport transport, AddressFamilies families, int timeoutMillis,
                int attempts) {
        this.servers = List.copyOf(servers);
        this.transport = transport;
        this.families = families;
        this.timeoutMillis = timeoutMillis;
        this.attempts = attempts;
    }

    Result resolve(String host) throws ServersFailedException, NoSuchNameException {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        List<InetAddress> first = new ArrayList<>();
        List<InetAddress> second = new ArrayList<>();
        String answeredBy = null;
        long ttl = Long.MAX_VALUE;
        NoSuchNameException missing = null;
        int[] types = families.queryTypes();
        Prefetch prefetch = types.length == 2 ? prefetch(name, types) : null;
        for (int i = 0; i < types.length; i++) {
            try {
                Result one = resolveType(host, name, types[i], prefetch);
                (i == 0 ? first : second).addAll(one.addresses());
                answeredBy = one.answeredBy();
                ttl = Math.min(ttl, one.ttlSeconds());
            } catch (NoSuchNameException e) {
                missing = e; // NXDOMAIN is for the name, whatever the type: the other query would say the same
                break;
            }
        }
        if (missing != null && first.isEmpty()) {
            throw missing; // NXDOMAIN for the second type after addresses of the first: a server's quirk, keep them
        }
        List<InetAddress> all = new ArrayList<>(first);
        all.addAll(second);
        return new Result(families.order(all), answeredBy, ttl);
    }

    /** The addresses of one type; follows CNAMEs. */
    private Result resolveType(String asked, String name, int type, Prefetch prefetch) throws ServersFailedException,
            NoSuchNameException {
        String target = name;
        long ttl = Long.MAX_VALUE; // an answer with no records (NODATA) has no TTL of its own: the JDK's policy rules
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Answered answered = ask(target, type, prefetch);
            List<InetAddress> addresses = new ArrayList<>();
            List<DnsMessage.Answer> answers = answered.response().answers();
            String end = followChain(target, answers);
            ttl = Math.min(ttl, chainTtl(target, end, answers));
            for (DnsMessage.Answer answer : answers) {
                if (answer.type() == type && answer.owner().equals(end)) {
                    addresses.add(withName(asked, answer.address()));
                    ttl = Math.min(ttl, answer.ttlSeconds());
                }
            }
            if (!addresses.isEmpty() || end.equals(target)) {
                return new Result(addresses, answered.server(), ttl);
            }
            target = end; // the answer ends at an alias without its addresses: ask for the alias
        }
        throw new ServersFailedException("CNAME chain of " + name + " longer than " + MAX_CNAME_HOPS);
    }

    /** The end of the CNAME chain starting at {@code name} within {@code answers}. */
    static String followChain(String name, List<DnsMessage.Answer> answers) {
        String current = name;
        for (int hop = 0; hop < MAX_CNAME_HOPS; hop++) {
            String next = null;
            for (DnsMessage.Answer answer : answers) {
                if (answer.type() == DnsMessage.TYPE_CNAME && answer.owner().equals(current)) {
                    next = answer.alias();
                    break;
                }
            }
            if (next == null) {
                return current;
            }
            current = next;
        }
        return current;
    }

    /** The smallest TTL of the CNAME records from {@code name} to {@code end}; MAX_VALUE when there are none. */
    private static long chainTtl(String name, String end, List<DnsMessage.Answer> answers) {
        long ttl = Long.MAX_VALUE;
        String current = name;
        for (int hop = 0; hop < MAX_CNAME_HOPS && !current.equals(end); hop++) {
            String next = null;
            for (DnsMessage.Answer answer : answers) {
                if (answer.type() == DnsMessage.TYPE_CNAME && answer.owner().equals(current)) {
                    ttl = Math.min(ttl, answer.ttlSeconds());
                    next = answer.alias();
                    break;
                }
            }
            if (next == null) {
                break;
            }
            current = next;
        }
        return ttl;
    }

    private record Answered(DnsMessage.Response response, String server) {
    }

    private Answered ask(String name, int type, Prefetch prefetch) throws ServersFailedException,
            NoSuchNameException {
        List<String> failures = new ArrayList<>();
        for (int attempt = 0; attempt < attempts; attempt++) {
            for (int s = 0; s < servers.size(); s++) {
                DnsServer server = servers.get(s);
                Prefetch.Entry early = attempt == 0 && s == 0 && prefetch != null ? prefetch.take(name, type) : null;
                byte[] query = early != null ? early.query() : DnsMessage.query(QueryIds.next(), name, type);
                try {
                    DnsMessage.Response response = early != null ? early.response()
                            : exchange(server, query, false);
                    if (response.truncated()) {
                        response = exchange(server, query, true);
                    }
                    if (response.rcode() == DnsMessage.RCODE_NXDOMAIN) {
                        throw new NoSuchNameException(server.toString());
                    }
                    if (response.rcode() == DnsMessage.RCODE_NOERROR) {
                        return new Answered(response, server.toString());
                    }
                    failures.add(server + ": rcode " + response.rcode());
                } catch (IOException e) {
                    failures.add(server + ": " + describe(e));
                } catch (DnsMessage.MalformedException e) {
                    failures.add(server + ": unreadable response (" + e.getMessage() + ")");
                }
            }
        }
        throw new ServersFailedException(String.join("; ", distinct(failures)));
    }

    /** Both queries to the first server in one round trip; each answer stands in for that server's first ask. */
    private Prefetch prefetch(String name, int[] types) {
        byte[][] queries = {DnsMessage.query(QueryIds.next(), name, types[0]),
                DnsMessage.query(QueryIds.next(), name, types[1])};
        try {
            return new Prefetch(name, types, queries, transport.exchangeTogether(servers.get(0), queries[0],
                    queries[1], timeoutMillis), null);
        } catch (IOException e) {
            return new Prefetch(name, types, queries, null, e);
        }
    }

    /** The first server's UDP answers to the A and AAAA queries, sent together; each used once, by its type. */
    private static final class Prefetch {
        private final String name;
        private final int[] types;
        private final byte[][] queries;
        private final byte[][] responses;
        private final IOException failure;
        private final boolean[] taken = new boolean[2];

        Prefetch(String name, int[] types, byte[][] queries, byte[][] responses, IOException failure) {
            this.name = name;
            this.types = types;
            this.queries = queries;
            this.responses = responses;
            this.failure = failure;
        }

        /** The query and what came back for it, or null when it was not asked together (a CNAME's target). */
        Entry take(String asked, int type) {
            int i = type == types[0] ? 0 : 1;
            if (!asked.equals(name) || taken[i]) {
                return null;
            }
            taken[i] = true;
            return new Entry(queries[i], responses == null ? null : responses[i], failure);
        }

        record Entry(byte[] query, byte[] bytes, IOException failure) {
            DnsMessage.Response response() throws IOException, DnsMessage.MalformedException {
                if (failure != null) {
                    throw failure;
                }
                if (bytes == null) {
                    throw new java.net.SocketTimeoutException("no answer");
                }
                return DnsMessage.parse(bytes, bytes.length);
            }
        }
    }

    private DnsMessage.Response exchange(DnsServer server, byte[] query, boolean tcp)
            throws IOException, DnsMessage.MalformedException {
        byte[] response = transport.exchange(server, query, tcp, timeoutMillis);
        return DnsMessage.parse(response, response.length);
    }

    private String describe(IOException e) {
        if (e instanceof java.net.SocketTimeoutException) {
            return "no answer within " + timeoutMillis + " ms";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static List<String> distinct(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String value : values) {
            if (!out.contains(value)) {
                out.add(value);
            }
        }
        return out;
    }

    /** The address carrying the name the application asked for, as the JDK's own answers do (rules match on it). */
    private static InetAddress withName(String host, InetAddress address) {
        return DnsMessage.address(host, address.getAddress());
    }

    /** Unpredictable query ids (with the kernel's random source port, what stands between a spoofed answer and us). */
    private static final class QueryIds {
        private static final SecureRandom RANDOM = new SecureRandom(); // first use: the first lookup, not premain

        static int next() {
            return RANDOM.nextInt(0x10000);
        }
    }

    /** Which records the JDK would ask for, and in which order it returns them. */
    record AddressFamilies(boolean ipv4, boolean ipv6, boolean ipv6First) {

        /** From {@code java.net.preferIPv4Stack} and {@code java.net.preferIPv6Addresses}, read once. */
        static AddressFamilies fromSystemProperties() {
            boolean ipv4Stack = Boolean.parseBoolean(System.getProperty("java.net.preferIPv4Stack"));
            String prefer = System.getProperty("java.net.preferIPv6Addresses", "false");
            return new AddressFamilies(true, !ipv4Stack, !ipv4Stack && prefer.equalsIgnoreCase("true"));
        }

        int[] queryTypes() {
            if (!ipv6) {
                return new int[]{DnsMessage.TYPE_A};
            }
            return ipv6First ? new int[]{DnsMessage.TYPE_AAAA, DnsMessage.TYPE_A}
                    : new int[]{DnsMessage.TYPE_A, DnsMessage.TYPE_AAAA};
        }

        /** IPv4 first unless {@code preferIPv6Addresses=true} ({@code system}: IPv4 first; glibc's sort is not reproduced). */
        List<InetAddress> order(List<InetAddress> addresses) {
            List<InetAddress> v4 = new ArrayList<>();
            List<InetAddress> v6 = new ArrayList<>();
            for (InetAddress address : addresses) {
                (address instanceof Inet4Address ? v4 : v6).add(address);
            }
            List<InetAddress> out = new ArrayList<>(ipv6First ? v6 : v4);
            out.addAll(ipv6First ? v4 : v6);
            return out;
        }
    }
}
