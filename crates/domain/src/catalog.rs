//! The built-in price catalog: public on-demand list prices of cloud instance types
//! (AWS us-east-1, GCP us-central1, Azure eastus), shipped inside the binary.
//!
//! The CSV is `crates/domain/data/instance-prices.csv`; its provenance is in
//! `instance-prices.README.md` beside it. Parsing happens once at start-up ([`Catalog::builtin`]); a test guarantees
//! the shipped file parses.

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;

const BUILTIN_CSV: &str = include_str!("../data/instance-prices.csv");
const HEADER: &str = "provider,region,instance_type,vcpu,memory_gib,hourly_usd,gpu";

/// One instance type's list price and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub provider: String,
    pub region: String,
    pub instance_type: String,
    pub vcpu: Decimal,
    pub memory_gib: Decimal,
    pub hourly_usd: Decimal,
    pub gpu: u32,
}

/// Why a catalog could not be read; names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("price catalog: expected header {HEADER:?}")]
    BadHeader,
    #[error("price catalog line {line}: {message}")]
    BadLine { line: usize, message: String },
    #[error("price catalog line {line}: instance type {instance_type} is listed twice")]
    Duplicate { line: usize, instance_type: String },
}

/// Instance types by name, with their list prices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    entries: HashMap<String, CatalogEntry>,
}

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn builtin() -> Result<Self, CatalogError> {
        Self::parse_csv(BUILTIN_CSV)
    }

    /// Parses CSV with the columns `provider,region,instance_type,vcpu,memory_gib,hourly_usd,gpu`.
    pub fn parse_csv(csv: &str) -> Result<Self, CatalogError> {
        let mut lines = csv.lines().enumerate();
        match lines.next() {
            Some((_, header)) if header.trim() == HEADER => {}
            _ => return Err(CatalogError::BadHeader),
        }
        let mut entries = HashMap::new();
        for (index, line) in lines {
            let line_no = index + 1;
            if line.trim().is_empty() {
                continue;
            }
            let entry = parse_line(line).map_err(|message| CatalogError::BadLine {
                line: line_no,
                message,
            })?;
            if entries.contains_key(&entry.instance_type) {
                return Err(CatalogError::Duplicate {
                    line: line_no,
                    instance_type: entry.instance_type,
                });
            }
            entries.insert(entry.instance_type.clone(), entry);
        }
        Ok(Self { entries })
    }

    /// Looks an instance type up by the exact name nodes report
    /// (`node.kubernetes.io/instance-type`).
    pub fn get(&self, instance_type: &str) -> Option<&CatalogEntry> {
        self.entries.get(instance_type)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn parse_line(line: &str) -> Result<CatalogEntry, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [
        provider,
        region,
        instance_type,
        vcpu,
        memory_gib,
        hourly_usd,
        gpu,
    ] = fields[..]
    else {
        return Err(format!("expected 7 fields, found {}", fields.len()));
    };
    if instance_type.is_empty() {
        return Err("instance_type is empty".into());
    }
    let decimal = |name: &str, text: &str| {
        Decimal::from_str(text)
            .ok()
            .filter(|value| *value >= Decimal::ZERO)
            .ok_or_else(|| format!("{name} {text:?} is not a non-negative number"))
    };
    let entry = CatalogEntry {
        provider: provider.to_owned(),
        region: region.to_owned(),
        instance_type: instance_type.to_owned(),
        vcpu: decimal("vcpu", vcpu)?,
        memory_gib: decimal("memory_gib", memory_gib)?,
        hourly_usd: decimal("hourly_usd", hourly_usd)?,
        gpu: gpu
            .parse()
            .map_err(|_| format!("gpu {gpu:?} is not a whole number"))?,
    };
    if entry.hourly_usd.is_zero() {
        return Err(format!("hourly_usd of {instance_type} is zero"));
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn builtin_catalog_parses_completely() {
        let catalog = Catalog::builtin().unwrap();
        let data_rows = BUILTIN_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        assert_eq!(catalog.len(), data_rows);
        assert_eq!(catalog.len(), 526, "the data README documents 526 rows");
    }

    #[test]
    fn looks_up_one_type_per_provider() {
        let catalog = Catalog::builtin().unwrap();
        let m5 = catalog.get("m5.xlarge").unwrap();
        assert_eq!(
            (m5.provider.as_str(), m5.vcpu, m5.memory_gib),
            ("aws", d("4"), d("16"))
        );
        assert_eq!(m5.hourly_usd, d("0.192"));
        assert_eq!(catalog.get("e2-medium").unwrap().vcpu, d("2"));
        assert_eq!(catalog.get("Standard_D4s_v3").unwrap().provider, "azure");
        assert!(
            catalog.get("M5.XLARGE").is_none(),
            "names are matched exactly"
        );
        assert!(catalog.get("no-such-type").is_none());
    }

    #[test]
    fn bad_input_names_the_line() {
        assert_eq!(Catalog::parse_csv("nope"), Err(CatalogError::BadHeader));
        let csv = format!("{HEADER}\naws,r,t1,2,4,0.1,0\naws,r,t2,2,x,0.1,0\n");
        assert!(matches!(
            Catalog::parse_csv(&csv),
            Err(CatalogError::BadLine { line: 3, .. })
        ));
        let csv = format!("{HEADER}\naws,r,t1,2,4,0.1,0\naws,r,t1,2,4,0.2,0\n");
        assert!(matches!(
            Catalog::parse_csv(&csv),
            Err(CatalogError::Duplicate { line: 3, .. })
        ));
        let csv = format!("{HEADER}\naws,r,t1,2,4,0\n");
        assert!(matches!(
            Catalog::parse_csv(&csv),
            Err(CatalogError::BadLine { line: 2, .. })
        ));
        let csv = format!("{HEADER}\naws,r,t1,2,4,-1,0\n");
        assert!(matches!(
            Catalog::parse_csv(&csv),
            Err(CatalogError::BadLine { line: 2, .. })
        ));
    }
}
