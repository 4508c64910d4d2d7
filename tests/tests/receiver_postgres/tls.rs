//! The PostgreSQL inbox over TLS: a server that accepts TCP connections only
//! with TLS (`hostssl`), its certificate issued by a CA made here for the
//! test, on 127.0.0.1.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use std::time::{Duration, SystemTime};

use dealpos::receiver::{Inbox, NewDelivery, PostgresInbox, Status};

use super::{Postgres, as_user};

/// A server with `ssl = on`, TCP for TLS connections only (and the Unix
/// socket for the test's own plain admin connection); the CA's PEM.
async fn start() -> (Postgres, String, Vec<u8>) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut ca = Vec::new();
    let pg = Postgres::start_configured(|dir, data| {
        ca = issue_certificates(dir);
        std::fs::write(data.join("pg_hba.conf"), "local all all trust\nhostssl all all 127.0.0.1/32 trust\n").unwrap();
        let file = |name: &str| dir.join(name).display().to_string();
        vec![
            "listen_addresses=127.0.0.1".into(),
            format!("port={port}"),
            "ssl=on".into(),
            format!("ssl_cert_file={}", file("server.pem")),
            format!("ssl_key_file={}", file("server.key")),
        ]
    })
    .await;
    (pg, format!("host=localhost port={port} user=postgres dbname=postgres"), ca)
}

/// A CA and a server certificate for `localhost` and 127.0.0.1, made with
/// the `openssl` command; the server's files are the server user's, as
/// PostgreSQL requires of its key.
fn issue_certificates(dir: &Path) -> Vec<u8> {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().expect("the openssl command");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
    openssl(
        &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2"]
            .into_iter()
            .chain(["-subj", "/CN=dealpos test CA"])
            .collect::<Vec<_>>(),
    );
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
    for file in ["server.key", "server.pem"] {
        let path = dir.join(file);
        if let Some((uid, gid)) = as_user() {
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::read(dir.join("ca.pem")).unwrap()
}

fn delivery(body: &'static [u8]) -> NewDelivery {
    NewDelivery {
        kind: "shiftClose".into(),
        body: body.to_vec().into(),
        headers: Vec::new(),
        received_at: SystemTime::now(),
        content_hash: format!("{:x}", body.len()),
        dedup_window: Duration::from_secs(3600),
        rejected: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_is_required_verified_and_reopened() {
    let (pg, config, ca) = start().await;

    // The server takes TCP connections only over TLS: the plain route is refused,
    // so the inbox that works below works over TLS.
    assert!(PostgresInbox::connect(&config).await.is_err(), "a plain TCP connection is refused");

    // The private CA is not among the Mozilla roots: the certificate is not trusted.
    assert!(PostgresInbox::connect_tls(&config).await.is_err(), "an untrusted certificate is refused");

    // `sslmode=disable` in the configuration does not turn TLS off.
    let inbox = PostgresInbox::connect_tls_with_ca(&format!("{config} sslmode=disable"), &ca).await.unwrap();
    let stored = inbox.store(delivery(b"{\"ID\":\"tls-1\"}")).await.unwrap();
    let id = stored.id();
    assert_eq!(inbox.get(id).await.unwrap().unwrap().status, Status::Pending);

    // A terminated backend is reopened over TLS, and nothing is lost.
    let (admin, connection) = tokio_postgres::connect(&pg.config, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let killed = admin
        .query("SELECT pg_terminate_backend(pid) FROM pg_stat_ssl WHERE ssl AND pid <> pg_backend_pid()", &[])
        .await
        .unwrap();
    assert_eq!(killed.len(), 1, "the inbox's one TLS connection");
    assert_eq!(inbox.get(id).await.unwrap().unwrap().status, Status::Pending);
    let over_tls = admin.query("SELECT 1 FROM pg_stat_ssl WHERE ssl", &[]).await.unwrap();
    assert_eq!(over_tls.len(), 1, "reopened over TLS");
}

#[tokio::test]
async fn bad_ca_text_and_configuration_are_clear_errors_without_the_password() {
    let error = PostgresInbox::connect_tls_with_ca("host=localhost password=hunter2", b"not a certificate").await;
    let text = error.unwrap_err().to_string();
    assert!(text.contains("CA certificates"), "{text}");

    let error = PostgresInbox::connect_tls("host=localhost password=hunter2 sslmode=nonsense").await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("PostgreSQL configuration") && !text.contains("hunter2"), "{text}");
}
