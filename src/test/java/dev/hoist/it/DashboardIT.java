package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.ServerConfigLoader;
import dev.hoist.server.ServerMain;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium: a bad token, a read token (markup from the API shown as text,
 * rollback refused with 403 and disabled), then a deploy token (a live log watched line by line, a
 * rollback confirmed by keyboard and followed). Once against the real server (its HTTP side,
 * history, tokens made with {@code hoist server token create}, a signed GitHub push) with a
 * scripted pipeline, once against {@link FakeServerApi}, which can also cut a log's connection
 * mid-deploy and see that no cookie is ever sent.
 */
class DashboardIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Chromium chromium;
  private static ChromeDriver browser;
  private static WebDriverWait wait;

  /** A failed test leaves a screenshot of the page it failed on, next to its report. */
  @RegisterExtension
  static final TestWatcher SCREENSHOT =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          try {
            Path dir = Files.createDirectories(Path.of("target", "failsafe-reports"));
            Files.write(
                dir.resolve("DashboardIT-" + context.getRequiredTestMethod().getName() + ".png"),
                browser.getScreenshotAs(OutputType.BYTES));
          } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
          }
        }
      };

  @BeforeAll
  static void start() throws Exception {
    chromium = new Chromium();
    browser = chromium.driver;
    wait = new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(50));
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  void clicksThroughTheRealServer(@TempDir Path dir) throws Exception {
    String secret = "webhook secret of DashboardIT";
    Path secretFile = dir.resolve("shop.secret");
    Files.writeString(secretFile, secret + "\n");
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
    Path yml = dir.resolve("server.yml");
    Files.writeString(
        yml,
        """
        data: data
        projects:
          shop:
            repo: https://git.example.com/you/shop.git
            branch: main
            secret_file: shop.secret
        """);
    ServerConfig loaded = ServerConfigLoader.load(yml);
    ServerConfig config =
        new ServerConfig(
            yml, new ServerConfig.Listen("127.0.0.1", 0), loaded.data(), loaded.projects());
    ScriptedPipeline pipeline = new ScriptedPipeline();
    try (ServerMain server = ServerMain.start(config, pipeline, line -> {})) {
      String base = "http://127.0.0.1:" + server.port() + "/";
      String reader = token(yml, "reader", "read");
      String ci = token(yml, "ci", "deploy");
      String first = "1111111" + "a".repeat(33);
      long id = push(base, secret, first, FakeServerApi.HOSTILE, "<script>alert(1)</script>");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> status(base, reader, id), "succeeded"::equals);

      browser.get(base);
      signIn("hoist_not-a-token");
      waitForText(By.id("problem"), "did not accept this token");
      signIn(reader);
      waitForText(By.tagName("main"), "r-1111111");
      browser.findElement(By.linkText("shop")).click();
      waitForText(By.tagName("main"), FakeServerApi.HOSTILE);
      assertThat(browser.findElement(By.tagName("main")).getText())
          .contains("<script>alert(1)</script>");
      assertThat(browser.findElements(By.cssSelector("main img, main b, main script"))).isEmpty();
      browser.findElement(By.id("rollback")).click();
      confirm();
      waitForText(By.id("rollback-why"), "read-only");
      assertThat(browser.findElement(By.id("rollback")).isEnabled()).isFalse();

      browser.findElement(By.id("forget")).click();
      signIn(ci);
      waitForText(By.tagName("main"), "shop");
      pipeline.lines = 10;
      pipeline.pace = Duration.ofMillis(400);
      long live = push(base, secret, "2222222" + "b".repeat(33), "add the live log", "Bo");
      browser.findElement(By.cssSelector("#crumbs a[href='#/']")).click();
      wait.until(ExpectedConditions.elementToBeClickable(By.linkText("#" + live))).click();
      wait.until(d -> lines().contains("step 1 of 10"));
      assertThat(lines()).doesNotContain("step 10 of 10");
      waitForText(By.cssSelector("#view h1 .badge"), "running");
      waitForText(By.cssSelector("#view h1 .badge"), "succeeded");
      List<String> steps = new ArrayList<>(List.of("fetching 2222222" + "b".repeat(33)));
      IntStream.rangeClosed(1, 10).forEach(i -> steps.add("step " + i + " of 10"));
      assertThat(lines()).containsSubsequence(steps).doesNotHaveDuplicates();
      assertThat(browser.findElement(By.id("summary")).getText()).contains("web2", "r-2222222");

      browser.findElement(By.cssSelector("#crumbs a[href='#/projects/shop']")).click();
      wait.until(ExpectedConditions.elementToBeClickable(By.id("rollback"))).sendKeys(Keys.ENTER);
      confirm();
      waitForText(By.cssSelector("#view h1"), "Rollback #" + (live + 1));
      waitForText(By.cssSelector("#view h1 .badge"), "succeeded");
      assertThat(lines())
          .containsSubsequence(
              "web1: switching back to r-1111111", "web2: switching back to r-1111111");
      browser.findElement(By.cssSelector("#crumbs a[href='#/projects/shop']")).click();
      waitForText(By.cssSelector(".facts"), "r-1111111");
    }
  }

  private static String token(Path yml, String name, String scope) throws Exception {
    Hoist.Result made =
        Hoist.run("server", "token", "create", name, "--scope", scope, "--config", yml.toString());
    assertThat(made.exit()).as(made.all()).isZero();
    return made.out().strip();
  }

  /** A GitHub push of {@code commit}, signed as GitHub signs it; the deploy's id. */
  private static long push(String base, String secret, String commit, String message, String author)
      throws Exception {
    byte[] body =
        JSON.writeValueAsBytes(
            Map.of(
                "ref",
                "refs/heads/main",
                "after",
                commit,
                "head_commit",
                Map.of("id", commit, "message", message, "author", Map.of("name", author))));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    HttpResponse<String> answer =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "hooks/shop"))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header(
                    "X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    return JSON.readTree(answer.body()).get("id").asLong();
  }

  private static String status(String base, String token, long id) throws Exception {
    HttpResponse<String> answer =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "api/deploys/" + id))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(answer.body()).path("status").asText();
  }

  @Test
  void clicksThroughTokensLiveLogAndRollback() throws Exception {
    try (FakeServerApi api = new FakeServerApi()) {
      browser.get(api.url());
      signIn("hoist_not-a-token");
      waitForText(By.id("problem"), "did not accept this token");
      assertThat(browser.findElement(By.id("login")).isDisplayed()).isTrue();

      signIn(FakeServerApi.READ_TOKEN);
      WebElement projects =
          wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("table")));
      assertThat(projects.getText()).contains("shop", "main", "live", "20261203-120000-bbbbbbb");
      // the API's markup is text on the page, never elements
      waitForText(By.tagName("main"), "#3");
      browser.findElement(By.linkText("shop")).click();
      waitForText(By.tagName("main"), FakeServerApi.HOSTILE);
      assertThat(browser.findElement(By.tagName("main")).getText())
          .contains("<script>alert(1)</script>");
      assertThat(browser.findElements(By.cssSelector("main img, main b, main script"))).isEmpty();
      assertThat(browser.getTitle()).isEqualTo("Hoist");

      // a read token: the rollback is refused by the server and the button says why
      browser.findElement(By.id("rollback")).click();
      confirm();
      waitForText(By.id("rollback-why"), "read-only");
      assertThat(browser.findElement(By.id("rollback-why")).getText()).contains("403");
      assertThat(browser.findElement(By.id("rollback")).isEnabled()).isFalse();
      assertThat(api.rollbacks.get()).isZero();

      browser.findElement(By.id("forget")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
      signIn(FakeServerApi.DEPLOY_TOKEN);
      waitForText(By.tagName("main"), "shop");
      assertThat(browser.findElement(By.id("rollback")).isEnabled()).isTrue();

      // the running deploy's log, line by line while it runs, then its end
      browser.findElement(By.linkText("#3")).click();
      wait.until(d -> lines().size() >= 1);
      assertThat(lines().size()).isLessThan(FakeServerApi.LIVE_LINES);
      assertThat(browser.findElement(By.cssSelector("#view h1 .badge")).getText())
          .isEqualTo("running");
      wait.until(d -> lines().size() == FakeServerApi.LIVE_LINES);
      waitForText(By.cssSelector("#view h1 .badge"), "succeeded");
      List<String> shown = lines();
      for (int i = 0; i < shown.size(); i++) {
        assertThat(shown.get(i)).startsWith("step " + (i + 1) + " of ");
      }
      assertThat(shown.get(3)).endsWith(FakeServerApi.HOSTILE);
      assertThat(api.resumedAfter).containsExactly("3");
      assertThat(browser.findElement(By.id("summary")).getText())
          .contains("web1", "deployed", "20261203-130000-ccccccc");

      // roll back from the project page, by keyboard: Escape cancels, Enter on the button confirms
      browser.findElement(By.cssSelector("#crumbs a[href='#/projects/shop']")).click();
      WebElement button = wait.until(ExpectedConditions.elementToBeClickable(By.id("rollback")));
      button.sendKeys(Keys.ENTER);
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
      assertThat(browser.findElement(By.id("confirm-text")).getText())
          .contains("web1 20261203-130000-ccccccc");
      browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
      wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
      assertThat(api.rollbacks.get()).isZero();
      browser.findElement(By.id("rollback")).sendKeys(Keys.ENTER);
      confirm();
      waitForText(By.cssSelector("#view h1"), "Rollback #4");
      waitForText(By.cssSelector("#view h1 .badge"), "succeeded");
      assertThat(lines())
          .containsExactly(
              "web1: switching back to 20261203-120000-bbbbbbb",
              "web2: switching back to 20261203-120000-bbbbbbb");
      assertThat(browser.findElement(By.id("summary")).getText()).contains("rolled back");
      browser.findElement(By.cssSelector("#crumbs a[href='#/projects/shop']")).click();
      waitForText(By.cssSelector(".facts"), "20261203-120000-bbbbbbb");
      assertThat(api.rollbacks.get()).isEqualTo(1);

      assertThat(api.cookies).isEmpty();
      assertThat(api.unauthorized).hasSize(1); // the bad token's one try
    }
  }

  private static void signIn(String token) {
    WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    field.clear();
    field.sendKeys(token, Keys.ENTER);
  }

  private static void confirm() {
    WebElement ok = wait.until(ExpectedConditions.elementToBeClickable(By.id("confirm-ok")));
    ok.click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
  }

  private static void waitForText(By where, String text) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(where, text));
  }

  private static List<String> lines() {
    return browser.findElements(By.cssSelector("#log .line")).stream()
        .map(WebElement::getText)
        .toList();
  }
}
