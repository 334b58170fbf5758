//! Load generator for `selfaudit serve`: every personal link answers all its questions at once
//! with the others, as a phone does (the question page, then the answer, following the redirect).
//!
//! cargo run --release --example bench-serve -- LINKS_FILE
//! LINKS_FILE is the server's startup output (the lines of personal links). Prints throughput
//! and the latency of an answer (the POST, saved and synced before it is acknowledged).
//! THINK_MS=N makes each respondent read for a random 0..2N ms before each answer, as people do
//! (default 0: every respondent answers as fast as the server lets it, the worst case).
//! scripts/bench-serve.sh starts the server, runs this and measures the server's peak memory.

use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn csrf(body: &str) -> Option<String> {
    let at = body.find("name=\"csrf\" value=\"")? + 19;
    Some(body[at..].split('"').next()?.to_string())
}

/// The top choice of a question page: the highest `cN`.
fn top(body: &str) -> String {
    let last = body
        .match_indices("value=\"c")
        .filter_map(|(i, _)| body[i + 8..].split('"').next()?.parse::<usize>().ok())
        .max()
        .unwrap_or(0);
    format!("c{last}")
}

#[tokio::main]
async fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: bench-serve LINKS_FILE");
    let text = std::fs::read_to_string(&path).expect("the links file");
    let links: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("    http"))
        .map(|l| l.trim().to_string())
        .collect();
    assert!(!links.is_empty(), "no personal links in {path}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(links.len())
        .build()
        .unwrap();
    let think: u64 = std::env::var("THINK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (k, link) in links.clone().into_iter().enumerate() {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut seed = (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut url = format!("{link}/q/1");
            let base = link.split("/r/").next().unwrap().to_string();
            loop {
                let page = match c.get(&url).send().await {
                    Ok(page) => page,
                    Err(e) => {
                        eprintln!("GET {}: {e}", k + 1);
                        errors += 1;
                        break;
                    }
                };
                let body = page.text().await.unwrap_or_default().replace("&#x2f;", "/");
                let Some(token) = csrf(&body) else {
                    break;
                };
                let answer = top(&body);
                if think > 0 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    tokio::time::sleep(Duration::from_millis(seed % (2 * think))).await;
                }
                let t = Instant::now();
                let r = c
                    .post(&url)
                    .form(&[("csrf", token.as_str()), ("a", answer.as_str())])
                    .send()
                    .await;
                let elapsed = t.elapsed();
                match r {
                    Ok(r) if r.status() == reqwest::StatusCode::SEE_OTHER => {
                        latencies.push(elapsed);
                        let to = r
                            .headers()
                            .get("location")
                            .and_then(|l| l.to_str().ok())
                            .unwrap_or_default()
                            .to_string();
                        if to.ends_with("/review") || !to.contains("/q/") {
                            break;
                        }
                        url = format!("{base}{to}");
                    }
                    other => {
                        match other {
                            Ok(r) => eprintln!("POST {}: status {}", k + 1, r.status()),
                            Err(e) => eprintln!("POST {}: {e}", k + 1),
                        }
                        errors += 1;
                        break;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let wall = started.elapsed();
    all.sort();
    if all.is_empty() {
        eprintln!("no answer was acknowledged");
        std::process::exit(1);
    }
    println!(
        "respondents {}, answers acknowledged {}, errors {errors}",
        links.len(),
        all.len()
    );
    println!(
        "wall {:.2} s, throughput {:.0} answers/s",
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "answer latency: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.9).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3
    );
    if errors > 0 {
        // A request the server refused or dropped is a failure of the run, not a figure.
        eprintln!("{errors} respondents stopped on an error (above)");
        std::process::exit(1);
    }
}
