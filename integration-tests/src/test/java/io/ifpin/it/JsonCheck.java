package io.ifpin.it;

/** A strict check that a line is one JSON value (RFC 8259), for the audit log's "every line is valid JSON". */
final class JsonCheck {
    private final String text;
    private int at;

    private JsonCheck(String text) {
        this.text = text;
    }

    static boolean isValid(String line) {
        JsonCheck check = new JsonCheck(line);
        try {
            check.value();
            check.spaces();
            return check.at == line.length();
        } catch (IllegalStateException | StringIndexOutOfBoundsException e) {
            return false;
        }
    }

    private void value() {
        spaces();
        char c = text.charAt(at);
        switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private void object() {
        at++;
        spaces();
        if (text.charAt(at) == '}') {
            at++;
            return;
        }
        while (true) {
            spaces();
            string();
            spaces();
            expect(':');
            value();
            spaces();
            if (text.charAt(at) == '}') {
                at++;
                return;
            }
            expect(',');
        }
    }

    private void array() {
        at++;
        spaces();
        if (text.charAt(at) == ']') {
            at++;
            return;
        }
        while (true) {
            value();
            spaces();
            if (text.charAt(at) == ']') {
                at++;
                return;
            }
            expect(',');
        }
    }

    private void string() {
        expect('"');
        while (true) {
            char c = text.charAt(at++);
            if (c == '"') {
                return;
            }
            if (c < 0x20) {
                throw new IllegalStateException("control character in a string");
            }
            if (c == '\\') {
                char escaped = text.charAt(at++);
                if (escaped == 'u') {
                    for (int i = 0; i < 4; i++) {
                        if (Character.digit(text.charAt(at++), 16) < 0) {
                            throw new IllegalStateException("bad \\u escape");
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(escaped) < 0) {
                    throw new IllegalStateException("bad escape");
                }
            }
        }
    }

    private void number() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        if (!text.substring(start, at).matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) {
            throw new IllegalStateException("bad number");
        }
    }

    private void literal(String word) {
        if (!text.startsWith(word, at)) {
            throw new IllegalStateException("expected " + word);
        }
        at += word.length();
    }

    private void expect(char c) {
        if (text.charAt(at++) != c) {
            throw new IllegalStateException("expected " + c);
        }
    }

    private void spaces() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }
}
