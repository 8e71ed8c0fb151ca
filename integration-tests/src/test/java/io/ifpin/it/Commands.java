package io.ifpin.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a short command to completion: its exit status and its output (stdout and stderr together). */
final class Commands {

    /** @param exitCode -1 when it could not be started, timed out (then killed) or was interrupted */
    record Result(int exitCode, String output) {
    }

    private Commands() {
    }

    static Result run(List<String> command, Duration timeout) {
        return run(command, Map.of(), timeout);
    }

    /** @param env added to this JVM's environment */
    static Result run(List<String> command, Map<String, String> env, Duration timeout) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            // Read before waiting: output is small, and reading cannot block past process exit.
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly(); // our own child, by its PID
                return new Result(-1, output + "\n(timed out after " + timeout.toSeconds() + " s)");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
