package io.ifpin.rules;

import java.nio.charset.StandardCharsets;

/**
 * Validates network interface names with the same rules as the Linux kernel's
 * {@code dev_valid_name()} (net/core/dev.c), so a name accepted here is never rejected by
 * SO_BINDTODEVICE merely for its spelling. Whether the interface exists is not checked: VPN
 * interfaces often appear after the application started.
 */
public final class InterfaceNames {
    /** IFNAMSIZ (linux/if.h) is 16 bytes including the terminating NUL. */
    public static final int MAX_BYTES = 15;

    private static final String FIX = "use the device name shown by `ip link`, e.g. interface = \"tun0\"";

    private InterfaceNames() {
    }

    /** Throws {@link InvalidValueException} when the kernel would reject {@code name}. */
    public static void validate(String name) {
        if (name.isEmpty()) {
            throw new InvalidValueException("the interface name is empty", FIX);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new InvalidValueException("\"" + name + "\" is not a valid interface name", FIX);
        }
        // The kernel counts bytes, not characters, and checks each byte with its own isspace().
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw new InvalidValueException("the interface name is " + bytes.length
                    + " bytes long; Linux allows at most " + MAX_BYTES + " (IFNAMSIZ)", FIX);
        }
        for (byte b : bytes) {
            if (b == ':') {
                throw new InvalidValueException("interface names cannot contain ':'",
                        "an alias such as eth0:1 is not a device; use the device itself, e.g. \"eth0\"");
            }
            if (b == '/' || b == 0 || isKernelSpace(b)) {
                throw new InvalidValueException(
                        "interface names cannot contain '/', NUL or white space", FIX);
            }
        }
    }

    /** The kernel's isspace() (lib/ctype.c): tab, LF, VT, FF, CR, space and Latin-1 NBSP. */
    private static boolean isKernelSpace(byte b) {
        int c = b & 0xff;
        return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0xa0;
    }
}
