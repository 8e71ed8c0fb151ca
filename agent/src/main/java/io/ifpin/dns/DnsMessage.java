package io.ifpin.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The two DNS messages ifpin needs (RFC 1035): a one-question query for A or AAAA, and the parsed answer section of its
 * response (addresses and CNAMEs, with TTLs). Everything else in a response (authority, additional, other types) is
 * skipped. Malformed input throws {@link MalformedException}, never anything unchecked.
 */
public final class DnsMessage {

    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_AAAA = 28;
    private static final int CLASS_IN = 1;
    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;
    private static final int MAX_POINTER_HOPS = 64;

    private DnsMessage() {
    }

    /** A response that cannot be read. */
    public static final class MalformedException extends Exception {
        public MalformedException(String message) {
            super(message);
        }
    }

    /** One answer record ifpin uses: an address (A/AAAA) or an alias (CNAME) of {@code owner}. */
    public record Answer(String owner, int type, long ttlSeconds, InetAddress address, String alias) {
        Answer withAddress(byte[] bytes) {
            return new Answer(owner, type, ttlSeconds, DnsMessage.address(null, bytes), null);
        }
    }

    /** A response: its id, flags and the answer records of types A, AAAA and CNAME. */
    public record Response(int id, boolean truncated, int rcode, String question, int questionType,
                           List<Answer> answers) {
    }

    /** A standard query (recursion desired) for {@code name} of {@code type}. */
    public static byte[] query(int id, String name, int type) {
        byte[] encodedName = encodeName(name);
        byte[] out = new byte[12 + encodedName.length + 4];
        putShort(out, 0, id);
        putShort(out, 2, 0x0100); // RD
        putShort(out, 4, 1); // QDCOUNT
        System.arraycopy(encodedName, 0, out, 12, encodedName.length);
        putShort(out, 12 + encodedName.length, type);
        putShort(out, 14 + encodedName.length, CLASS_IN);
        return out;
    }

    /** @throws IllegalArgumentException for a name that is not a DNS name (empty label, label over 63 bytes) */
    static byte[] encodeName(String name) {
        String trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (trimmed.isEmpty() || trimmed.length() > 253) {
            throw new IllegalArgumentException("not a DNS name: " + name);
        }
        byte[] text = trimmed.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[text.length + 2];
        int labelStart = 0;
        int at = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i == text.length || text[i] == '.') {
                int length = i - labelStart;
                if (length == 0 || length > 63) {
                    throw new IllegalArgumentException("not a DNS name: " + name);
                }
                out[at++] = (byte) length;
                System.arraycopy(text, labelStart, out, at, length);
                at += length;
                labelStart = i + 1;
            }
        }
        out[at] = 0;
        return out;
    }

    public static Response parse(byte[] message, int length) throws MalformedException {
        Reader in = new Reader(message, length);
        int id = in.u16();
        int flags = in.u16();
        if ((flags & 0x8000) == 0) {
            throw new MalformedException("not a response");
        }
        int questions = in.u16();
        int answerCount = in.u16();
        in.u16(); // NSCOUNT
        in.u16(); // ARCOUNT
        boolean truncated = (flags & 0x0200) != 0;
        String question = null;
        int questionType = 0;
        for (int i = 0; i < questions; i++) {
            String name = in.name();
            int type = in.u16();
            in.u16(); // class
            if (i == 0) {
                question = name;
                questionType = type;
            }
        }
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < answerCount && !(truncated && in.remaining() == 0); i++) {
            String owner = in.name();
            int type = in.u16();
            int recordClass = in.u16();
            long ttl = in.u32();
            int rdLength = in.u16();
            int rdStart = in.position();
            in.require(rdLength);
            if (recordClass == CLASS_IN) {
                if (type == TYPE_A && rdLength == 4 || type == TYPE_AAAA && rdLength == 16) {
                    answers.add(new Answer(owner, type, ttl, null, null).withAddress(in.bytes(rdLength)));
                } else if (type == TYPE_CNAME) {
                    answers.add(new Answer(owner, type, ttl, null, in.name()));
                }
            }
            in.seek(rdStart + rdLength);
        }
        return new Response(id, truncated, flags & 0xF, question, questionType, List.copyOf(answers));
    }

    private static void putShort(byte[] out, int at, int value) {
        out[at] = (byte) (value >>> 8);
        out[at + 1] = (byte) value;
    }

    /** A bounds-checked cursor over a message. */
    private static final class Reader {
        private final byte[] data;
        private final int limit;
        private int at;

        Reader(byte[] data, int limit) {
            this.data = data;
            this.limit = Math.min(limit, data.length);
        }

        int position() {
            return at;
        }

        int remaining() {
            return limit - at;
        }

        void seek(int position) {
            at = position;
        }

        void require(int count) throws MalformedException {
            if (count < 0 || at + count > limit) {
                throw new MalformedException("message ends inside a record (at byte " + at + ")");
            }
        }

        int u8() throws MalformedException {
            require(1);
            return data[at++] & 0xFF;
        }

        int u16() throws MalformedException {
            require(2);
            int value = (data[at] & 0xFF) << 8 | data[at + 1] & 0xFF;
            at += 2;
            return value;
        }

        long u32() throws MalformedException {
            return (long) u16() << 16 | u16();
        }

        byte[] bytes(int count) throws MalformedException {
            require(count);
            byte[] out = new byte[count];
            System.arraycopy(data, at, out, 0, count);
            at += count;
            return out;
        }

        /** A possibly compressed name; the cursor ends after the name's bytes at its original place. */
        String name() throws MalformedException {
            StringBuilder out = new StringBuilder();
            int position = at;
            int resumeAt = -1;
            for (int hops = 0; ; ) {
                if (position >= limit) {
                    throw new MalformedException("name runs past the message");
                }
                int length = data[position] & 0xFF;
                if ((length & 0xC0) == 0xC0) {
                    if (position + 1 >= limit || ++hops > MAX_POINTER_HOPS) {
                        throw new MalformedException("bad compression pointer");
                    }
                    if (resumeAt < 0) {
                        resumeAt = position + 2;
                    }
                    position = (length & 0x3F) << 8 | data[position + 1] & 0xFF;
                } else if ((length & 0xC0) != 0) {
                    throw new MalformedException("unknown label type");
                } else if (length == 0) {
                    at = resumeAt >= 0 ? resumeAt : position + 1;
                    return out.toString().toLowerCase(Locale.ROOT);
                } else {
                    if (position + 1 + length > limit || out.length() + length > 255) {
                        throw new MalformedException("label runs past the message");
                    }
                    if (out.length() > 0) {
                        out.append('.');
                    }
                    out.append(new String(data, position + 1, length, StandardCharsets.ISO_8859_1));
                    position += 1 + length;
                }
            }
        }
    }

    static InetAddress address(String owner, byte[] bytes) {
        try {
            return InetAddress.getByAddress(owner, bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // lengths are checked: 4 or 16
        }
    }
}
