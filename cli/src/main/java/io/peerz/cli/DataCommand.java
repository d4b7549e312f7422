package io.peerz.cli;

import io.peerz.gpu.data.DataLimits;
import io.peerz.gpu.data.FolderServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peerz data}: the data plane from the buyer's side; {@code data serve DIR} hosts files. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = {
      "The compute market's data plane, from the buyer's side.",
      "A job's inputs reach its executor by upload (peerz job submit --a FILE) or from a URL the",
      "job names, which the executor fetches and checks against the job's committed roots."
    },
    subcommands = {DataCommand.Serve.class, CommandLine.HelpCommand.class})
final class DataCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("Missing command: try 'peerz data serve DIR'");
    spec.commandLine().usage(err);
    return 2;
  }

  /** {@code peerz data serve DIR}: serves a folder read-only until Ctrl-C. */
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = {
        "Serve the files of DIR read-only over HTTP, for jobs that name their inputs by URL",
        "(peerz job submit --a-url URL --b-url URL) instead of uploading them.",
        "Each file is at GET /<its path relative to DIR>, with HTTP ranges, so an executor",
        "resumes a broken download. Nothing outside DIR is reachable: no '..', no hidden",
        "names (starting with '.'), no symbolic link that leads out. Files added later are",
        "served too. Prints each file's URL, then serves until Ctrl-C.",
        "",
        "Executors must reach the address: the default listens on this machine only; use",
        "--laddr 0.0.0.0:8090 and give the URLs with this machine's public address."
      })
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The folder to serve.")
    Path dir;

    @Option(
        names = "--laddr",
        paramLabel = "<host:port>",
        defaultValue = "127.0.0.1:8090",
        description = "Address to listen on (default: ${DEFAULT-VALUE}); port 0 picks a free one.")
    String laddr;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (!Files.isDirectory(dir)) {
        throw new CliException("cannot serve " + dir + ": not a folder");
      }
      InetSocketAddress bind = parseAddress(laddr);
      FolderServer server;
      try {
        server = FolderServer.start(dir, bind, DataLimits.defaults());
      } catch (RuntimeException e) {
        throw new CliException(e.getMessage() == null ? e.toString() : e.getMessage());
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                server.close();
                stopped.countDown();
              },
              "peerz-data-serve-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      out.printf("serving %s at %s (read-only; Ctrl-C stops)%n", server.root(), server.baseUrl());
      List<Path> files = server.files();
      for (Path f : files) {
        out.printf("%s  %d bytes%n", server.urlOf(f), size(server.root().resolve(f)));
      }
      if (files.isEmpty()) {
        out.println("(no files yet; files added later are served too)");
      } else if (files.size() == FolderServer.MAX_LISTED) {
        out.printf("(the first %d files; the others are served too)%n", FolderServer.MAX_LISTED);
      }
      if (bind.getAddress().isAnyLocalAddress()) {
        out.println(
            "(give executors this machine's address in place of " + bind.getHostString() + ")");
      }
      out.flush();
      try {
        stopped.await();
      } catch (InterruptedException e) {
        // Stopped from inside the process (a test): no shutdown hook will run.
        Runtime.getRuntime().removeShutdownHook(hook);
        server.close();
        Thread.currentThread().interrupt();
      }
      return 0;
    }

    private static long size(Path file) {
      try {
        return Files.size(file);
      } catch (java.io.IOException e) {
        return -1;
      }
    }
  }

  /** {@code host:port}, {@code [v6]:port} or {@code :port} (all interfaces). */
  static InetSocketAddress parseAddress(String laddr) {
    String value = laddr.startsWith("tcp://") ? laddr.substring(6) : laddr;
    URI uri;
    try {
      uri = new URI("tcp://" + (value.startsWith(":") ? "0.0.0.0" + value : value));
    } catch (URISyntaxException e) {
      throw new CliException("--laddr: expected host:port, got '" + laddr + "'");
    }
    if (uri.getHost() == null || uri.getPort() < 0 || uri.getPath().length() > 0) {
      throw new CliException(
          "--laddr: expected host:port (e.g. 127.0.0.1:8090), got '" + laddr + "'");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, uri.getPort());
  }
}
