//! Every rate the generator uses, in one place, with the default that benchmarks are
//! measured against.

use serde::{Deserialize, Serialize};

/// Which fields one channel fills in and how it mangles them. Each value is a probability
/// per record of that channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelProfile {
    /// Relative share of records that come from this channel.
    pub weight: f64,
    /// A name is present.
    pub name: f64,
    /// A phone is present.
    pub phone: f64,
    /// A second phone (the household landline or a previous number) is present.
    pub phone2: f64,
    /// An e-mail is present (when the person has one).
    pub email: f64,
    /// An address is present.
    pub address: f64,
    /// A birth date is present.
    pub birth_date: f64,
    /// A gender is present.
    pub gender: f64,
    /// A national id is present (Chinese customers only).
    pub national_id: f64,
    /// A member number is present.
    pub member_no: f64,
    /// A device id is present.
    pub device_id: f64,
    /// A present name is honorific only: `张先生`, `王女士`, `Mr Smith`.
    pub honorific_name: f64,
    /// A present name is masked (`张*`, `王**`) or a nickname-like handle (`小张`, `阿伟`).
    pub masked_name: f64,
    /// A present Chinese name is written in pinyin.
    pub romanised_name: f64,
    /// A present Chinese name has one character replaced by a homophone.
    pub homophone_name: f64,
    /// A present phone is masked `138****8000`.
    pub masked_phone: f64,
}

/// All rates of the generator. [`Difficulty::default`] is the documented, **fixed**
/// benchmark difficulty (see the crate README): benchmarks measure against data generated
/// with it, so changing a default changes the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difficulty {
    /// Share of households that are Western (names, addresses and phones from the United
    /// States or Australia); the rest are mainland Chinese.
    pub western_share: f64,
    /// Relative weights of household sizes 1, 2, 3, … .
    pub household_size: Vec<f64>,
    /// Relative weights of 1, 2, 3, … records per person.
    pub records_per_person: Vec<f64>,
    /// Share of households with two or more children whose two eldest are twins (same
    /// birth date, same family name, similar given names).
    pub twins: f64,
    /// Share of multi-person households with a shared landline.
    pub shared_landline: f64,
    /// Share of multi-person households whose members all give the head's mobile.
    pub shared_mobile: f64,
    /// Share of multi-person households whose members share one device id.
    pub shared_device: f64,
    /// Share of persons with an e-mail address: Chinese customers.
    pub email_owner_chinese: f64,
    /// Share of persons with an e-mail address: Western customers.
    pub email_owner_western: f64,
    /// Share of persons with two or more records whose later records use a new mobile.
    pub phone_changed: f64,
    /// Share of persons with two or more records whose later records use a new address
    /// (usually in the same city).
    pub moved: f64,
    /// Per record: a Chinese name is written in Traditional script.
    pub traditional_name: f64,
    /// Per record: a Chinese name of three or more characters drops one given-name character.
    pub dropped_character: f64,
    /// Per record: a Western given name is replaced by a nickname (Robert → Bob) when it has one.
    pub nickname: f64,
    /// Per record: a Western name carries one typo (swap, drop, double or wrong letter).
    pub name_typo: f64,
    /// Per record: a Western name is written in another order or case (`SMITH, John`,
    /// `J. Smith`, `JOHN SMITH`).
    pub western_name_format: f64,
    /// Per record: a phone is written in a format other than 11 plain digits (or the
    /// national format abroad).
    pub phone_format: f64,
    /// Per record: a phone is written in full-width digits.
    pub phone_full_width: f64,
    /// Per record: two adjacent phone digits are swapped.
    pub phone_typo: f64,
    /// Per record: an e-mail is upper or mixed case.
    pub email_case: f64,
    /// Per record: a Gmail address has its dots moved.
    pub gmail_dots: f64,
    /// Per record: an e-mail carries a plus-tag (`name+shop@…`).
    pub plus_tag: f64,
    /// Per record: an e-mail domain has a typo (`gmial.com`, `qq.con`, `163.cm`).
    pub domain_typo: f64,
    /// Per record: a Chinese address is shortened (province or 省/市 dropped) or a Western
    /// address reordered.
    pub address_shortened: f64,
    /// Per record: a Chinese address is written in Traditional script.
    pub address_traditional: f64,
    /// Per record: a Chinese address writes its building detail differently
    /// (`3栋2单元501室` ↔ `3-2-501`, `幢`, `号楼`, `#`).
    pub address_detail_variant: f64,
    /// Per record: an address loses its building detail (estate, building, room).
    pub address_detail_dropped: f64,
    /// Per record: a Western street type is abbreviated (Street → St).
    pub street_abbreviated: f64,
    /// Per record: a birth date is written other than `YYYY-MM-DD`.
    pub date_format: f64,
    /// Per record: a gender is written other than `男` / `女` (`M`, `female`, `1`, `2` …).
    pub gender_format: f64,
    /// Per record: one present field holds a placeholder (`-`, `无`, `N/A`, `null`).
    pub placeholder: f64,
    /// Store tills.
    pub pos: ChannelProfile,
    /// The retailer's app.
    pub app: ChannelProfile,
    /// The mini-program.
    pub mini_program: ChannelProfile,
    /// Third-party marketplaces.
    pub marketplace: ChannelProfile,
    /// The call centre.
    pub call_centre: ChannelProfile,
    /// The web shop.
    pub web: ChannelProfile,
}

impl Default for Difficulty {
    /// The fixed benchmark difficulty; every value is listed in the crate README.
    fn default() -> Self {
        Difficulty {
            western_share: 0.15,
            household_size: vec![0.30, 0.30, 0.22, 0.12, 0.06],
            records_per_person: vec![0.52, 0.20, 0.11, 0.07, 0.04, 0.03, 0.02, 0.01],
            twins: 0.05,
            shared_landline: 0.25,
            shared_mobile: 0.08,
            shared_device: 0.05,
            email_owner_chinese: 0.60,
            email_owner_western: 0.90,
            phone_changed: 0.08,
            moved: 0.06,
            traditional_name: 0.04,
            dropped_character: 0.03,
            nickname: 0.15,
            name_typo: 0.04,
            western_name_format: 0.30,
            phone_format: 0.45,
            phone_full_width: 0.02,
            phone_typo: 0.01,
            email_case: 0.10,
            gmail_dots: 0.30,
            plus_tag: 0.04,
            domain_typo: 0.02,
            address_shortened: 0.35,
            address_traditional: 0.03,
            address_detail_variant: 0.30,
            address_detail_dropped: 0.15,
            street_abbreviated: 0.50,
            date_format: 0.45,
            gender_format: 0.50,
            placeholder: 0.01,
            pos: ChannelProfile {
                weight: 0.25,
                name: 0.95,
                phone: 0.90,
                phone2: 0.05,
                email: 0.10,
                address: 0.30,
                birth_date: 0.40,
                gender: 0.60,
                national_id: 0.25,
                member_no: 0.85,
                device_id: 0.0,
                honorific_name: 0.05,
                masked_name: 0.0,
                romanised_name: 0.02,
                homophone_name: 0.04,
                masked_phone: 0.0,
            },
            app: ChannelProfile {
                weight: 0.20,
                name: 0.80,
                phone: 0.98,
                phone2: 0.02,
                email: 0.35,
                address: 0.50,
                birth_date: 0.30,
                gender: 0.40,
                national_id: 0.03,
                member_no: 0.40,
                device_id: 0.95,
                honorific_name: 0.02,
                masked_name: 0.03,
                romanised_name: 0.08,
                homophone_name: 0.02,
                masked_phone: 0.0,
            },
            mini_program: ChannelProfile {
                weight: 0.15,
                name: 0.70,
                phone: 0.90,
                phone2: 0.0,
                email: 0.10,
                address: 0.60,
                birth_date: 0.20,
                gender: 0.50,
                national_id: 0.02,
                member_no: 0.30,
                device_id: 0.90,
                honorific_name: 0.05,
                masked_name: 0.10,
                romanised_name: 0.05,
                homophone_name: 0.02,
                masked_phone: 0.0,
            },
            marketplace: ChannelProfile {
                weight: 0.20,
                name: 0.95,
                phone: 0.95,
                phone2: 0.0,
                email: 0.02,
                address: 0.95,
                birth_date: 0.0,
                gender: 0.10,
                national_id: 0.0,
                member_no: 0.0,
                device_id: 0.0,
                honorific_name: 0.30,
                masked_name: 0.20,
                romanised_name: 0.03,
                homophone_name: 0.03,
                masked_phone: 0.85,
            },
            call_centre: ChannelProfile {
                weight: 0.08,
                name: 0.90,
                phone: 0.95,
                phone2: 0.15,
                email: 0.05,
                address: 0.40,
                birth_date: 0.15,
                gender: 0.30,
                national_id: 0.05,
                member_no: 0.20,
                device_id: 0.0,
                honorific_name: 0.10,
                masked_name: 0.0,
                romanised_name: 0.0,
                homophone_name: 0.30,
                masked_phone: 0.02,
            },
            web: ChannelProfile {
                weight: 0.12,
                name: 0.90,
                phone: 0.60,
                phone2: 0.05,
                email: 0.95,
                address: 0.70,
                birth_date: 0.50,
                gender: 0.30,
                national_id: 0.02,
                member_no: 0.10,
                device_id: 0.20,
                honorific_name: 0.0,
                masked_name: 0.0,
                romanised_name: 0.30,
                homophone_name: 0.02,
                masked_phone: 0.0,
            },
        }
    }
}

impl Difficulty {
    /// The channel profiles in the order of [`crate::CHANNELS`].
    pub fn channels(&self) -> [&ChannelProfile; 6] {
        [
            &self.pos,
            &self.app,
            &self.mini_program,
            &self.marketplace,
            &self.call_centre,
            &self.web,
        ]
    }

    /// Checks that every rate is a probability and every weight list usable; names the
    /// offending setting.
    pub(crate) fn validate(&self) -> Result<(), &'static str> {
        let rates = [
            ("western_share", self.western_share),
            ("twins", self.twins),
            ("shared_landline", self.shared_landline),
            ("shared_mobile", self.shared_mobile),
            ("shared_device", self.shared_device),
            ("email_owner_chinese", self.email_owner_chinese),
            ("email_owner_western", self.email_owner_western),
            ("phone_changed", self.phone_changed),
            ("moved", self.moved),
            ("traditional_name", self.traditional_name),
            ("dropped_character", self.dropped_character),
            ("nickname", self.nickname),
            ("name_typo", self.name_typo),
            ("western_name_format", self.western_name_format),
            ("phone_format", self.phone_format),
            ("phone_full_width", self.phone_full_width),
            ("phone_typo", self.phone_typo),
            ("email_case", self.email_case),
            ("gmail_dots", self.gmail_dots),
            ("plus_tag", self.plus_tag),
            ("domain_typo", self.domain_typo),
            ("address_shortened", self.address_shortened),
            ("address_traditional", self.address_traditional),
            ("address_detail_variant", self.address_detail_variant),
            ("address_detail_dropped", self.address_detail_dropped),
            ("street_abbreviated", self.street_abbreviated),
            ("date_format", self.date_format),
            ("gender_format", self.gender_format),
            ("placeholder", self.placeholder),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(name);
            }
        }
        for profile in self.channels() {
            let rates = [
                profile.name,
                profile.phone,
                profile.phone2,
                profile.email,
                profile.address,
                profile.birth_date,
                profile.gender,
                profile.national_id,
                profile.member_no,
                profile.device_id,
                profile.honorific_name,
                profile.masked_name,
                profile.romanised_name,
                profile.homophone_name,
                profile.masked_phone,
            ];
            if rates.iter().any(|r| !(0.0..=1.0).contains(r))
                || !profile.weight.is_finite()
                || profile.weight < 0.0
            {
                return Err("channel profile");
            }
        }
        let usable = |weights: &[f64]| {
            !weights.is_empty()
                && weights.iter().all(|w| w.is_finite() && *w >= 0.0)
                && weights.iter().sum::<f64>() > 0.0
        };
        if !usable(&self.household_size) || self.household_size.len() > 8 {
            return Err("household_size");
        }
        if !usable(&self.records_per_person) {
            return Err("records_per_person");
        }
        let channel_weights: Vec<f64> = self.channels().iter().map(|p| p.weight).collect();
        if !usable(&channel_weights) {
            return Err("channel weights");
        }
        Ok(())
    }
}
