package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium against {@link FakeServerApi}: a bad token, a read token
 * (markup from the API shown as text, rollback refused with 403 and disabled), then a deploy token
 * (a live log watched line by line across a dropped connection, a rollback confirmed and followed).
 * No cookie is ever sent; every API call carries the token.
 */
class DashboardIT {
  private static Chromium chromium;
  private static ChromeDriver browser;
  private static WebDriverWait wait;

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
