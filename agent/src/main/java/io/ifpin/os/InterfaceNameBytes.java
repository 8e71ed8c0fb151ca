package io.ifpin.os;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes of interface names, encoded once: the names come from the rules, so pinning a socket does not encode
 * its rule's name again (docs/dev/performance.md, "the pinned path"). At most {@value #MAX} names are kept; others are
 * encoded on each call. The arrays are shared: callers only read them.
 */
final class InterfaceNameBytes {

    static final int MAX = 256;

    private final ConcurrentHashMap<String, byte[]> byName = new ConcurrentHashMap<>();
    private final int padding;

    /** @param padding zero bytes after the name: 1 for a C string's NUL, 0 when the length is passed */
    InterfaceNameBytes(int padding) {
        this.padding = padding;
    }

    byte[] of(String name) {
        byte[] bytes = byName.get(name);
        if (bytes == null) {
            byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
            bytes = padding == 0 ? ascii : Arrays.copyOf(ascii, ascii.length + padding);
            if (byName.size() < MAX) {
                byName.put(name, bytes);
            }
        }
        return bytes;
    }
}
