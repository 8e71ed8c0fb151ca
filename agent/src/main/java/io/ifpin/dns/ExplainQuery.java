package io.ifpin.dns;

import io.ifpin.os.Addresses;
import io.ifpin.os.SocketOptions;
import io.ifpin.rules.Rule;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code explain}'s own question to a rule's DNS servers: from the CLI's process, over sockets it pins to the rule's
 * interface itself, one round over the servers ({@link DnsResolver#TIMEOUT_MILLIS} per query and server). The
 * application asks the same servers the same way, but it is another process: its answer may differ (a cache, a
 * server's view of time).
 */
public final class ExplainQuery {

    private ExplainQuery() {
    }

    /** What the servers said, as one line; {@code asked} is false when no query could be sent. */
    public record Answer(boolean asked, String text) {
    }

    /** What the rule's servers answer for {@code name}; never throws. */
    public static Answer ask(Rule rule, String name, SocketOptions sockets) {
        PinnedDnsTransport transport = new PinnedDnsTransport(rule.interfaceName(), sockets);
        try {
            transport.checkPinnable();
        } catch (IOException | RuntimeException e) {
            return new Answer(false, e.getMessage());
        }
        DnsResolver resolver = new DnsResolver(rule.dnsServers(), transport,
                DnsResolver.AddressFamilies.fromSystemProperties(), DnsResolver.TIMEOUT_MILLIS, 1);
        return new Answer(true, answer(resolver, name));
    }

    private static String answer(DnsResolver resolver, String name) {
        try {
            DnsResolver.Result result = resolver.resolve(name);
            if (result.addresses().isEmpty()) {
                return "no address (no A or AAAA record) from " + result.answeredBy();
            }
            List<String> addresses = new ArrayList<>();
            for (InetAddress address : result.addresses()) {
                addresses.add(Addresses.text(address));
            }
            return String.join(", ", addresses) + " from " + result.answeredBy() + " (TTL " + result.ttlSeconds()
                    + " s)";
        } catch (DnsResolver.NoSuchNameException e) {
            return "no such name (NXDOMAIN) from " + e.server;
        } catch (DnsResolver.ServersFailedException e) {
            return "no answer (" + e.getMessage() + ")";
        } catch (RuntimeException e) {
            return "failed (" + e + ")";
        }
    }
}
