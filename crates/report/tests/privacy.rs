//! The report of the shipped sample holds no raw personal value of the input, and names no
//! URL: every section's numbers and masked values only.

use std::path::{Path, PathBuf};

use sameas::{Control, InputTable, Resolver, write_resolution};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/customers.csv")
}

#[test]
fn sample_report_shows_no_raw_personal_value() {
    let dir = tempfile::tempdir().unwrap();
    let input = InputTable::read_path(&sample(), None).unwrap();
    let mut resolver = Resolver::new();
    let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
    let config = resolver.config().unwrap().clone();
    write_resolution(dir.path(), &resolution, &config, &resolution.report).unwrap();
    let html = sameas_report::render(&sameas_report::Sources::read(&[dir.path().into()]).unwrap());
    let in_memory = sameas_report::render_resolution(&resolution, &config).unwrap();
    assert_eq!(
        html.matches("<figure").count(),
        in_memory.matches("<figure").count(),
        "the in-memory way gives the same charts"
    );

    for section in ["quality", "resolution", "entities"] {
        assert!(
            html.contains(&format!("data-section=\"{section}\"")),
            "{section}"
        );
    }
    // At least six charts from a resolve directory alone.
    assert!(html.matches("<figure class=\"chart\"").count() >= 6);
    assert!(!html.contains("http://") && !html.contains("https://"));

    // Every personal cell of the input, as written and as normalized (digits of a phone,
    // an e-mail in lower case); cells the input already masked are masked forms themselves.
    let mut reader = csv::Reader::from_path(sample()).unwrap();
    let headers = reader.headers().unwrap().clone();
    let personal = [
        "record_id",
        "name",
        "phone",
        "email",
        "id_number",
        "member_no",
        "device_id",
    ];
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        for (header, cell) in headers.iter().zip(row.iter()) {
            let cell = cell.trim();
            if !personal.contains(&header) || cell.is_empty() || cell.contains('*') {
                continue;
            }
            let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
            let mut forms = vec![cell.to_string(), cell.to_lowercase()];
            if header == "phone" && digits.len() >= 7 {
                forms.push(digits.clone());
                forms.push(format!("+86{}", &digits[digits.len().saturating_sub(11)..]));
            }
            for form in forms {
                assert!(
                    !html.contains(&form),
                    "column {header}: a raw value is in the report"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} cells checked");
    // Masked forms are what it shows.
    assert!(html.contains("138****8000"));
}
