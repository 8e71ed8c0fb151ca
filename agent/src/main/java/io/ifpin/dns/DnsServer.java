package io.ifpin.dns;

import io.ifpin.os.Addresses;
import io.ifpin.rules.Cidr;
import io.ifpin.rules.InvalidValueException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * One DNS server of a rule's {@code dns} list: an IP literal, optionally with a port
 * ({@code "192.0.2.53"}, {@code "192.0.2.53:5353"}, {@code "2001:db8::53"}, {@code "[2001:db8::53]:5353"}).
 * Never a name: resolving the resolver would need a resolver.
 */
public record DnsServer(InetAddress address, int port) {

    public static final int DEFAULT_PORT = 53;
    private static final String FIX = "write an IP address, optionally with a port, e.g. dns = [\"192.0.2.53\","
            + " \"192.0.2.53:5353\", \"[2001:db8::53]:5353\"]";

    /** @throws InvalidValueException when {@code text} is not an IP literal with an optional port */
    public static DnsServer parse(String text) {
        String host = text.trim();
        int port = DEFAULT_PORT;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new InvalidValueException("'[' without ']'", FIX);
            }
            String rest = host.substring(close + 1);
            host = host.substring(1, close);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new InvalidValueException("unexpected text after ']'", FIX);
                }
                port = port(rest.substring(1));
            }
            if (host.indexOf(':') < 0) {
                throw new InvalidValueException("brackets are for IPv6 addresses", FIX);
            }
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
            port = port(host.substring(host.indexOf(':') + 1)); // one colon: IPv4 with a port
            host = host.substring(0, host.indexOf(':'));
        }
        return new DnsServer(literal(host), port);
    }

    private static int port(String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidValueException("the port is not a number", FIX);
        }
        if (port < 1 || port > 65535) {
            throw new InvalidValueException("the port must be 1-65535", FIX);
        }
        return port;
    }

    /** Cidr's strict literal parser: an address that is not a literal is refused, never looked up. */
    private static InetAddress literal(String host) {
        byte[] bytes = host.indexOf('%') >= 0 ? null : Cidr.parseAddress(host);
        if (bytes == null) {
            throw new InvalidValueException("not an IP address (a DNS server is given by address, not by name)", FIX);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes
        }
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** As written in a config, in {@link Addresses}' form: {@code 192.0.2.53}, {@code [2001:db8::53]:5353}. */
    @Override
    public String toString() {
        return port == DEFAULT_PORT ? Addresses.text(address) : Addresses.format(address, port);
    }
}
