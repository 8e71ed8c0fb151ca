package io.ifpin.diag;

import io.ifpin.os.Addresses;
import io.ifpin.os.Routes;
import io.ifpin.rules.Cidr;
import io.ifpin.rules.Rule;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code check} says about a rule's {@code source} and {@code mark} here: a source that is on no interface of
 * this network namespace (its binds fail with EADDRNOTAVAIL), a mark this process may not set (no CAP_NET_ADMIN in
 * {@code CapEff}; Linux 5.17 and later accept CAP_NET_RAW too), and a mark no {@code ip rule} catches for the rule's
 * networks ({@link MarkRouteCheck}).
 */
public final class SteeringCheck {

    /** linux/capability.h */
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_NET_RAW = 13;

    private final Set<InetAddress> localAddresses;
    private final long effectiveCapabilities;
    private final MarkRouteCheck markCheck;

    /**
     * @param localAddresses every address of every interface here
     * @param effectiveCapabilities {@code CapEff} of /proc/self/status; -1 when unknown
     * @param routes null when routes cannot be read
     */
    public SteeringCheck(Set<InetAddress> localAddresses, long effectiveCapabilities, Routes routes) {
        this.localAddresses = localAddresses;
        this.effectiveCapabilities = effectiveCapabilities;
        this.markCheck = routes == null ? null : new MarkRouteCheck(routes);
    }

    /** For this process, in this network namespace. */
    public static SteeringCheck here(Routes routes) {
        return new SteeringCheck(localAddresses(), effectiveCapabilities(Path.of("/proc/self/status")), routes);
    }

    public List<String> warnings(Rule rule) {
        List<String> warnings = new ArrayList<>();
        if (rule.source() != null) {
            for (InetAddress address : rule.source().addresses()) {
                if (!localAddresses.contains(address)) {
                    String text = Addresses.text(address);
                    boolean ipv6 = address.getAddress().length == 16;
                    warnings.add("source " + text + " is on no interface in this network namespace now: the rule's"
                            + " binds fail with EADDRNOTAVAIL and the sockets " + (rule.onError()
                            == io.ifpin.rules.OnError.FAIL_CLOSED ? "are refused (fail-closed)" : "leave with the"
                            + " route's source (fail-open)") + ". Fine for a floating address that arrives later"
                            + " only with net." + (ipv6 ? "ipv6" : "ipv4") + ".ip_nonlocal_bind = 1; otherwise: ip"
                            + " addr add " + text + (ipv6 ? "/128" : "/32") + " dev <interface>, or correct source.");
                }
            }
        }
        if (rule.mark() != null) {
            if (effectiveCapabilities >= 0 && (effectiveCapabilities & (1L << CAP_NET_ADMIN)) == 0
                    && (effectiveCapabilities & (1L << CAP_NET_RAW)) == 0) {
                warnings.add("mark " + rule.mark() + ": this process has no CAP_NET_ADMIN (CapEff in"
                        + " /proc/self/status), and setting a socket's mark needs it (Linux 5.17 and later also"
                        + " accept CAP_NET_RAW). If the application runs like this, its marks fail with EPERM. Fix:"
                        + " grant CAP_NET_ADMIN (systemd: AmbientCapabilities=CAP_NET_ADMIN; Kubernetes:"
                        + " securityContext.capabilities.add: [\"NET_ADMIN\"]).");
            }
            if (markCheck != null) {
                for (InetAddress destination : destinations(rule)) {
                    String warning = markCheck.check(rule, rule.interfaceName(), destination);
                    if (warning != null) {
                        warnings.add(warning);
                    }
                }
            }
        }
        return warnings;
    }

    /** The first address of each of the rule's networks; for a rule by hosts or /0, one documentation address. */
    static List<InetAddress> destinations(Rule rule) {
        List<InetAddress> destinations = new ArrayList<>();
        boolean any = !rule.hosts().isEmpty();
        for (String text : rule.cidrs()) {
            Cidr cidr = Cidr.parse(text);
            if (cidr.prefixLength() == 0) {
                any = true;
            } else {
                String network = cidr.networkForm();
                destinations.add(literal(network.substring(0, network.indexOf('/'))));
            }
        }
        if (any && destinations.isEmpty()) {
            destinations.add(literal("192.0.2.1")); // any destination: what the default route does for one
        }
        return destinations;
    }

    /** {@code CapEff} of a /proc status file, or -1 when it cannot be read. */
    static long effectiveCapabilities(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static Set<InetAddress> localAddresses() {
        Set<InetAddress> addresses = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nif.getInetAddresses())) {
                    // Without the scope: a source is written without one, and equals() compares it.
                    addresses.add(InetAddress.getByAddress(address.getAddress()));
                }
            }
        } catch (SocketException | UnknownHostException e) {
            return addresses;
        }
        return addresses;
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
