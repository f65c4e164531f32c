#include "migrate/config/tls.hpp"

#include <gtest/gtest.h>

using namespace migrate::config;

namespace {

Tls tls(SslMode mode, const std::string& ca = {}) {
  Tls out;
  out.mode = mode;
  out.ca = ca;
  return out;
}

} // namespace

TEST(TlsPlan, DisableAsksForNothing) {
  const auto plan = plan_tls(tls(SslMode::disable, "/ca.pem"));
  EXPECT_FALSE(plan.offer);
  EXPECT_FALSE(plan.must_encrypt);
  EXPECT_FALSE(plan.verify_ca);
}

TEST(TlsPlan, PreferOffersButAcceptsPlainTextAndNeverVerifies) {
  const auto plan = plan_tls(tls(SslMode::prefer, "/ca.pem"));
  EXPECT_TRUE(plan.offer);
  EXPECT_FALSE(plan.must_encrypt);
  EXPECT_FALSE(plan.verify_ca);
  EXPECT_FALSE(plan.verify_host);
}

TEST(TlsPlan, RequireInsistsAndChecksTheCaOnlyWhenOneIsGiven) {
  EXPECT_TRUE(plan_tls(tls(SslMode::require)).must_encrypt);
  EXPECT_FALSE(plan_tls(tls(SslMode::require)).verify_ca);
  EXPECT_TRUE(plan_tls(tls(SslMode::require, "/ca.pem")).verify_ca);
  EXPECT_FALSE(plan_tls(tls(SslMode::require, "/ca.pem")).verify_host);
}

TEST(TlsPlan, VerifyCaChecksTheChainAndVerifyFullAlsoTheHost) {
  const auto ca = plan_tls(tls(SslMode::verify_ca, "/ca.pem"));
  EXPECT_TRUE(ca.must_encrypt && ca.verify_ca);
  EXPECT_FALSE(ca.verify_host);
  const auto full = plan_tls(tls(SslMode::verify_full, "/ca.pem"));
  EXPECT_TRUE(full.must_encrypt && full.verify_ca && full.verify_host);
}

TEST(TlsWarning, OnlyForPlainTextLeavingTheMachine) {
  EXPECT_TRUE(warn_unencrypted("db.example.com", false));
  EXPECT_TRUE(warn_unencrypted("10.0.0.5", false));
  EXPECT_FALSE(warn_unencrypted("db.example.com", true));
  EXPECT_FALSE(warn_unencrypted("127.0.0.1", false));
  EXPECT_FALSE(warn_unencrypted("127.1.2.3", false));
  EXPECT_FALSE(warn_unencrypted("localhost", false));
  EXPECT_FALSE(warn_unencrypted("::1", false));
  EXPECT_TRUE(warn_unencrypted("127.example.com", false)) << "a name, not an address";
}

TEST(TlsDescription, NamesVersionAndCipherOrSaysUnencrypted) {
  EXPECT_EQ(describe_encryption("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
            "TLSv1.3 TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(describe_encryption("", "TLS_AES_256_GCM_SHA384"), "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(describe_encryption("TLSv1.3", ""), "unencrypted");
}

TEST(TlsFailureHint, SaysWhatVerificationChecked) {
  EXPECT_EQ(tls_failure_hint(tls(SslMode::verify_full, "/etc/ca.pem"), "db"),
            " (ssl_mode verify-full: the server's certificate must be signed by the CA in "
            "/etc/ca.pem and name the host 'db')");
  EXPECT_EQ(tls_failure_hint(tls(SslMode::verify_ca, "/etc/ca.pem"), "db"),
            " (ssl_mode verify-ca: the server's certificate must be signed by the CA in "
            "/etc/ca.pem)");
  EXPECT_EQ(tls_failure_hint(tls(SslMode::require), "db"), "");
}

// Every option is set either way: Connector/C 3.4 verifies unless told not to.
TEST(ConnectorTls, EachModeSetsEveryOptionOnThreePointThree) {
  constexpr unsigned long v33 = 30320;
  const auto disable = connector_tls(plan_tls(tls(SslMode::disable, "/ca.pem")), v33);
  EXPECT_FALSE(disable.enforce || disable.verify_server_cert || disable.pass_ca);
  const auto prefer = connector_tls(plan_tls(tls(SslMode::prefer, "/ca.pem")), v33);
  EXPECT_TRUE(prefer.enforce);
  EXPECT_FALSE(prefer.verify_server_cert || prefer.pass_ca);
  const auto require = connector_tls(plan_tls(tls(SslMode::require)), v33);
  EXPECT_TRUE(require.enforce);
  EXPECT_FALSE(require.verify_server_cert || require.pass_ca);
  const auto ca = connector_tls(plan_tls(tls(SslMode::verify_ca, "/ca.pem")), v33);
  EXPECT_TRUE(ca.enforce && ca.pass_ca);
  EXPECT_FALSE(ca.verify_server_cert || ca.host_checked_too);
  const auto full = connector_tls(plan_tls(tls(SslMode::verify_full, "/ca.pem")), v33);
  EXPECT_TRUE(full.enforce && full.pass_ca && full.verify_server_cert);
}

// From 3.4.2 a CA is checked only with MYSQL_OPT_SSL_VERIFY_SERVER_CERT, which checks the host
// too: verify-ca refuses more than it asks rather than check nothing.
TEST(ConnectorTls, VerifyCaChecksTheHostTooWhereTheLibraryCannotCheckACaAlone) {
  const auto v341 = connector_tls(plan_tls(tls(SslMode::verify_ca, "/ca.pem")), 30401);
  EXPECT_FALSE(v341.verify_server_cert);
  const auto v342 = connector_tls(plan_tls(tls(SslMode::verify_ca, "/ca.pem")), 30402);
  EXPECT_TRUE(v342.verify_server_cert && v342.pass_ca && v342.host_checked_too);
  const auto require = connector_tls(plan_tls(tls(SslMode::require, "/ca.pem")), 30402);
  EXPECT_TRUE(require.verify_server_cert && require.host_checked_too);
  EXPECT_FALSE(connector_tls(plan_tls(tls(SslMode::prefer)), 30402).verify_server_cert);
}

TEST(TlsFailureHint, NamesAServerThatSpeaksOnlyOldTls) {
  for (const char* message : {"TLS/SSL error: unsupported protocol",
                              "TLS/SSL error: tlsv1 alert protocol version",
                              "TLS/SSL error: wrong version number"}) {
    const auto hint = tls_failure_hint(tls(SslMode::prefer), "db", message);
    EXPECT_NE(hint.find("only TLS 1.0 or 1.1"), std::string::npos) << message;
    EXPECT_NE(hint.find("5.7.28"), std::string::npos);
  }
  EXPECT_EQ(tls_failure_hint(tls(SslMode::prefer), "db", "TLS/SSL error: unexpected eof"), "");
}

TEST(RsaKeyHint, OnlyWhenTheConnectionDidNotAskForTls) {
  EXPECT_NE(rsa_key_hint(tls(SslMode::disable)).find("RSA public key"), std::string::npos);
  EXPECT_EQ(rsa_key_hint(tls(SslMode::prefer)), "");
}
