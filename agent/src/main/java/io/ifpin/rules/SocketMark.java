package io.ifpin.rules;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A rule's {@code mark}: the firewall mark ({@code SO_MARK}) a socket gets before it connects or sends, which the
 * host's policy routing ({@code ip rule add fwmark N table T}) and nftables see (docs/dev/steering.md). 1 to 0xFFFFFFFF (0 is every socket's mark already). The option's bytes are built once. Immutable.
 */
public final class SocketMark {

    private static final String EXAMPLE = "write mark = 16 or mark = \"0x10\" (1 to 0xFFFFFFFF), the number your"
            + " `ip rule ... fwmark` names";

    private final long value;
    private final byte[] bytes;

    private SocketMark(long value) {
        this.value = value;
        this.bytes = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) value).array();
    }

    /** @throws InvalidValueException outside 1..0xFFFFFFFF */
    public static SocketMark of(long value) {
        if (value < 1 || value > 0xFFFF_FFFFL) {
            throw new InvalidValueException(value == 0 ? "0 is every socket's mark (no mark)"
                    : "out of range: a mark is 32 bits", EXAMPLE);
        }
        return new SocketMark(value);
    }

    /** A decimal or {@code 0x} hexadecimal string, as {@code ip rule} accepts. */
    public static SocketMark parse(String text) {
        long value;
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) {
                if (text.length() < 3 || text.length() > 10) {
                    throw new NumberFormatException(text);
                }
                value = Long.parseLong(text.substring(2), 16);
            } else {
                if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new NumberFormatException(text);
                }
                value = Long.parseLong(text);
            }
        } catch (NumberFormatException e) {
            throw new InvalidValueException("not a number", EXAMPLE);
        }
        return of(value);
    }

    /** The mark, 1 to 0xFFFFFFFF. */
    public long value() {
        return value;
    }

    /** The mark as the C {@code int} {@code setsockopt} takes (native byte order). Shared: callers only read it. */
    public byte[] optionBytes() {
        return bytes;
    }

    /** What {@code getsockopt(SO_MARK)} returns for a socket with this mark. */
    public int asInt() {
        return (int) value;
    }

    /** Decimal, as {@code ip rule} prints it in {@code fwmark 0x10} hex: {@code 16 (0x10)}. */
    @Override
    public String toString() {
        return value + " (0x" + Long.toHexString(value) + ")";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SocketMark that && that.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }
}
