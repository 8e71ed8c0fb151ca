package io.ifpin.diag;

import io.ifpin.rules.Rule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * IPv4 reverse-path filtering on a pinned interface. With strict mode ({@code rp_filter=1}) the kernel drops a reply
 * that arrives on the pinned interface while its best route back to the sender goes through another interface: the
 * usual situation of a pinned connection. The kernel uses the larger of {@code net.ipv4.conf.all.rp_filter} and
 * {@code net.ipv4.conf.<if>.rp_filter} ({@code IN_DEV_RPFILTER}, include/linux/inetdevice.h).
 *
 * <p>{@code /proc/sys/net} shows the network namespace of the thread that opens the file; ifpin reads it from its own
 * threads, which share the application's namespace.
 */
public final class RpFilter {

    /** Reads one sysctl value under {@code /proc/sys/net/ipv4/conf}; null when the file does not exist. */
    @FunctionalInterface
    public interface Sysctl {
        String read(String interfaceOrAll) throws IOException;
    }

    /** The real one: {@code /proc/sys/net/ipv4/conf/<name>/rp_filter}. */
    public static final Sysctl PROC = name -> {
        Path file = Path.of("/proc/sys/net/ipv4/conf", name, "rp_filter");
        return Files.exists(file) ? Files.readString(file) : null;
    };

    /**
     * @param all       {@code net.ipv4.conf.all.rp_filter}
     * @param iface     {@code net.ipv4.conf.<if>.rp_filter}
     */
    public record Setting(int all, int iface) {

        /** What the kernel applies: the larger of the two. */
        public int effective() {
            return Math.max(all, iface);
        }

        /** {@code 1 (strict)}, {@code 0 (off)}, {@code 2 (loose)}. */
        public String describe() {
            int value = effective();
            return value + (value == 0 ? " (off)" : value == 1 ? " (strict)" : " (loose)");
        }
    }

    private RpFilter() {
    }

    /** The interface's setting, or null when it cannot be read (no such interface, no /proc). */
    public static Setting read(Sysctl sysctl, String interfaceName) {
        if (interfaceName.indexOf('/') >= 0 || interfaceName.equals("..") || interfaceName.equals(".")) {
            return null;
        }
        try {
            String all = sysctl.read("all");
            String own = sysctl.read(interfaceName);
            if (all == null || own == null) {
                return null;
            }
            return new Setting(Integer.parseInt(all.trim()), Integer.parseInt(own.trim()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The warning for strict mode (one line, without the {@code [ifpin] WARN} prefix), or null. */
    public static String warning(Rule rule, String interfaceName, Setting setting) {
        if (setting == null || setting.effective() != 1) {
            return null;
        }
        // sysctl writes a dot in an interface name (a VLAN: eth0.100) as a slash.
        String key = "net.ipv4.conf." + interfaceName.replace('.', '/') + ".rp_filter";
        return "rule '" + rule.name() + "' (" + rule.origin() + "): interface '" + interfaceName + "' has strict"
                + " reverse-path filtering (rp_filter: all=" + setting.all() + ", " + interfaceName + "="
                + setting.iface() + "): IPv4 replies that arrive on " + interfaceName + " while the route back to"
                + " their sender points to another interface are dropped, so pinned connects time out. Confirm:"
                + " nstat -az TcpExtIPReversePathFilter (rises with each drop). Fix: sysctl -w " + key + "=2 (loose"
                + (setting.all() == 1 ? "; the kernel uses the larger of all and " + interfaceName + ", so this"
                + " also overrides all=1" : "") + "), and persist it under /etc/sysctl.d/.";
    }
}
