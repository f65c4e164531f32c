#include "migrate/notify/curl_channels.hpp"

#include "migrate/core/error.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace migrate::notify {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, ListDeleter>;

// What an upload reads from: the message text, handed out in pieces.
struct Upload {
  const std::string* data = nullptr;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const auto n = std::min(size * count, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// The start of a webhook's response, for the error message of a refused POST.
std::size_t keep_response(char* data, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const auto n = size * count;
  out->append(data, std::min(n, out->size() < 200 ? 200 - out->size() : 0));
  return n;
}

template<typename Value>
void set(CURL* curl, CURLoption option, Value value) {
  if (curl_easy_setopt(curl, option, value) != CURLE_OK) {
    throw Error(ErrorArea::notify,
                "libcurl refused option " + std::to_string(static_cast<int>(option)));
  }
}

// A handle with what both channels share: bounded waits, no signals (timeouts in a threaded
// process), certificate checks, only the channel's protocols.
CurlHandle make_handle(const config::Notify& notify, const char* protocols, char* error_buffer) {
  CurlHandle curl(curl_easy_init());
  if (!curl) {
    throw Error(ErrorArea::notify, "libcurl could not start");
  }
  set(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  set(curl.get(), CURLOPT_NOSIGNAL, 1L);
  set(curl.get(), CURLOPT_CONNECTTIMEOUT, static_cast<long>(notify.connect_timeout.count()));
  set(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(notify.timeout.count()));
  set(curl.get(), CURLOPT_SSL_VERIFYPEER, 1L);
  set(curl.get(), CURLOPT_SSL_VERIFYHOST, 2L);
  set(curl.get(), CURLOPT_PROTOCOLS_STR, protocols);
  if (!notify.ca_file.empty()) {
    set(curl.get(), CURLOPT_CAINFO, notify.ca_file.c_str());
  }
  return curl;
}

void perform(CURL* curl, const std::string& what, const char* error_buffer) {
  const auto code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    throw Error(ErrorArea::notify, what + ": " + detail);
  }
}

class EmailChannel final : public Channel {
public:
  EmailChannel(const config::EmailChannel& email, const config::Notify& notify)
      : m_email(email)
      , m_notify(notify) {}

  std::string describe() const override {
    std::string to;
    for (const auto& address : m_email.to) {
      to += (to.empty() ? "" : ",") + address;
    }
    return "email to " + to + " via " + describe_url(m_email.smtp_url);
  }

  bool wants(bool failure) const override { return should_send(m_email.when, failure); }

  void send(const Message& message) override {
    char error[CURL_ERROR_SIZE] = {};
    auto curl = make_handle(m_notify, "smtp,smtps", error);
    set(curl.get(), CURLOPT_URL, m_email.smtp_url.c_str());
    // smtp:// upgrades with STARTTLS when the server offers it; with credentials it must.
    const bool tls_required = !m_email.username.empty();
    set(curl.get(), CURLOPT_USE_SSL, tls_required ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    if (!m_email.username.empty()) {
      set(curl.get(), CURLOPT_USERNAME, m_email.username.c_str());
      set(curl.get(), CURLOPT_PASSWORD, m_email.password.c_str());
    }
    const auto from = "<" + m_email.from + ">";
    set(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
    CurlList recipients;
    for (const auto& address : m_email.to) {
      auto* list = curl_slist_append(recipients.get(), ("<" + address + ">").c_str());
      if (list == nullptr) {
        throw Error(ErrorArea::notify, "out of memory");
      }
      recipients.release();
      recipients.reset(list);
    }
    set(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
    const auto text =
        email_text(message, m_email.from, m_email.to, std::chrono::system_clock::now());
    Upload upload{&text, 0};
    set(curl.get(), CURLOPT_READFUNCTION, read_upload);
    set(curl.get(), CURLOPT_READDATA, &upload);
    set(curl.get(), CURLOPT_UPLOAD, 1L);
    set(curl.get(), CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
    perform(curl.get(), describe(), error);
  }

private:
  config::EmailChannel m_email;
  config::Notify m_notify;
};

class WebhookChannel final : public Channel {
public:
  WebhookChannel(const config::WebhookChannel& webhook, const config::Notify& notify)
      : m_webhook(webhook)
      , m_notify(notify) {}

  std::string describe() const override { return "webhook " + describe_url(m_webhook.url); }

  bool wants(bool failure) const override { return should_send(m_webhook.when, failure); }

  void send(const Message& message) override {
    char error[CURL_ERROR_SIZE] = {};
    auto curl = make_handle(m_notify, "http,https", error);
    const auto body = webhook_json(message);
    CurlList headers(curl_slist_append(nullptr, "Content-Type: application/json"));
    std::string response;
    set(curl.get(), CURLOPT_URL, m_webhook.url.c_str());
    set(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    set(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    set(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    set(curl.get(), CURLOPT_WRITEFUNCTION, keep_response);
    set(curl.get(), CURLOPT_WRITEDATA, &response);
    perform(curl.get(), describe(), error);
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
      throw Error(ErrorArea::notify,
                  describe() + ": HTTP " + std::to_string(status) + " " + response);
    }
  }

private:
  config::WebhookChannel m_webhook;
  config::Notify m_notify;
};

} // namespace

std::vector<std::unique_ptr<Channel>> make_curl_channels(const config::Notify& notify) {
  std::vector<std::unique_ptr<Channel>> out;
  if (notify.email) {
    out.push_back(std::make_unique<EmailChannel>(*notify.email, notify));
  }
  if (notify.webhook) {
    out.push_back(std::make_unique<WebhookChannel>(*notify.webhook, notify));
  }
  return out;
}

} // namespace migrate::notify
