//! Sample data that looks like a real Japanese sales team's database: about
//! fifty companies with kana readings, their contacts, 120 deals across the
//! pipeline, a few months of meetings, calls and mails, contracts nearing
//! their end, and follow-ups overdue, due today and upcoming.
//!
//! Dates are relative to the clock, so the sample always looks current, and
//! the generator is seeded, so two runs at the same moment are identical.

use crate::clock::to_db;
use crate::contracts::contract::{self, Billing, NewContract};
use crate::customers::company::{self, NewCompany, Segment};
use crate::customers::contact::NewContact;
use crate::engine_text::EngineText;
use crate::error::Result;
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::handoff::acknowledge;
use crate::handoff::sheet::{self, ChecklistTick, HandoffInput, KeyPersonInput, PreferredChannel, PromiseInput};
use crate::pipeline::deal::{self, NewDeal};
use crate::pipeline::stage::{self, Stage, StageKind};
use crate::store::db::Db;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::team::member;
use crate::team::role::{self, Role};
use crate::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Timelike, Utc};
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// The sample team: a manager who still sells, two sales reps, and one
/// person who answers the support line.
const COLLEAGUES: [(&str, &str, &[Role]); 4] = [
    ("sato.k", "佐藤 健太", &[Role::Sales, Role::Manager]),
    ("suzuki.m", "鈴木 美咲", &[Role::Sales]),
    ("takahashi.y", "高橋 優斗", &[Role::Sales]),
    ("ito.a", "伊藤 彩", &[Role::Support]),
];

const PREFIXES: [(&str, &str); 25] = [
    ("青葉", "あおば"),
    ("朝日", "あさひ"),
    ("東都", "とうと"),
    ("北斗", "ほくと"),
    ("桜井", "さくらい"),
    ("富士見", "ふじみ"),
    ("大和", "やまと"),
    ("光陽", "こうよう"),
    ("三輪", "みわ"),
    ("白石", "しろいし"),
    ("若葉", "わかば"),
    ("中央", "ちゅうおう"),
    ("丸山", "まるやま"),
    ("日進", "にっしん"),
    ("瑞穂", "みずほ"),
    ("関東", "かんとう"),
    ("浪速", "なにわ"),
    ("新星", "しんせい"),
    ("千代田", "ちよだ"),
    ("緑川", "みどりかわ"),
    ("旭丘", "あさひがおか"),
    ("信和", "しんわ"),
    ("東海", "とうかい"),
    ("flat", "ふらっと"),
    ("菱川", "ひしかわ"),
];

const SUFFIXES: [(&str, &str, &str); 10] = [
    ("製作所", "せいさくしょ", "製造業"),
    ("商事", "しょうじ", "卸売業"),
    ("物産", "ぶっさん", "商社"),
    ("システムズ", "しすてむず", "情報通信業"),
    ("工業", "こうぎょう", "製造業"),
    ("食品", "しょくひん", "食品製造"),
    ("建設", "けんせつ", "建設業"),
    ("運輸", "うんゆ", "運輸・物流"),
    ("不動産", "ふどうさん", "不動産業"),
    ("電機", "でんき", "電気機器"),
];

const PLACES: [&str; 12] = [
    "東京都千代田区丸の内2-4-1",
    "東京都港区芝浦3-9-1",
    "東京都新宿区西新宿6-14-1",
    "神奈川県横浜市西区みなとみらい2-3-5",
    "埼玉県さいたま市大宮区桜木町1-7-5",
    "千葉県千葉市美浜区中瀬1-3",
    "大阪府大阪市北区梅田3-1-3",
    "愛知県名古屋市中村区名駅4-7-1",
    "福岡県福岡市博多区博多駅前2-1-1",
    "宮城県仙台市青葉区中央1-3-1",
    "静岡県静岡市葵区黒金町11-7",
    "京都府京都市下京区烏丸通七条下ル",
];

const FAMILY: [(&str, &str); 20] = [
    ("山田", "やまだ"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山口", "やまぐち"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
    ("木村", "きむら"),
    ("林", "はやし"),
    ("清水", "しみず"),
    ("山崎", "やまざき"),
    ("森", "もり"),
    ("池田", "いけだ"),
    ("橋本", "はしもと"),
    ("阿部", "あべ"),
    ("石川", "いしかわ"),
    ("前田", "まえだ"),
    ("藤田", "ふじた"),
    ("岡田", "おかだ"),
];

const GIVEN: [(&str, &str); 16] = [
    ("誠", "まこと"),
    ("陽子", "ようこ"),
    ("大輔", "だいすけ"),
    ("由美", "ゆみ"),
    ("翔太", "しょうた"),
    ("恵", "めぐみ"),
    ("拓也", "たくや"),
    ("真理子", "まりこ"),
    ("浩二", "こうじ"),
    ("さくら", "さくら"),
    ("直樹", "なおき"),
    ("千尋", "ちひろ"),
    ("健一", "けんいち"),
    ("美穂", "みほ"),
    ("隆", "たかし"),
    ("香織", "かおり"),
];

const TITLES: [&str; 8] = [
    "代表取締役",
    "取締役 営業本部長",
    "総務部 部長",
    "情報システム部 課長",
    "経理部 主任",
    "購買部 係長",
    "営業企画部 マネージャー",
    "管理本部 本部長",
];

const DEALS: [(&str, i64, i64); 14] = [
    ("基幹システム刷新", 5_000_000, 15_000_000),
    ("クラウド会計導入", 600_000, 2_400_000),
    ("複合機リース入替", 300_000, 1_200_000),
    ("Webサイト リニューアル", 800_000, 3_500_000),
    ("勤怠管理システム導入", 400_000, 1_800_000),
    ("営業支援ツール導入", 500_000, 2_000_000),
    ("セキュリティ診断", 700_000, 2_500_000),
    ("新入社員研修プログラム", 300_000, 900_000),
    ("倉庫管理システム構築", 3_000_000, 9_000_000),
    ("保守サポート契約", 240_000, 1_200_000),
    ("PC入替 50台", 4_000_000, 7_500_000),
    ("社内ネットワーク更改", 1_500_000, 4_800_000),
    ("電子契約サービス導入", 300_000, 1_000_000),
    ("データ分析基盤 PoC", 1_200_000, 3_000_000),
];

const COMPETITORS: [&str; 5] = [
    "株式会社ネクストワン",
    "ミライ情報システム株式会社",
    "株式会社サンライズテック",
    "大手SIer",
    "既存ベンダー継続",
];

const PLANS: [(&str, Billing, i64); 5] = [
    ("保守サポート 年間契約", Billing::Annual, 1_200_000),
    ("クラウド会計 スタンダード", Billing::Monthly, 38_000),
    ("複合機リース", Billing::Monthly, 45_000),
    ("セキュリティ監視サービス", Billing::Monthly, 120_000),
    ("Webサイト運用保守", Billing::Annual, 600_000),
];

struct Ctx<'a> {
    w: &'a WriteCtx<'a>,
    rng: SmallRng,
    now: DateTime<Utc>,
    today: NaiveDate,
    offset: chrono::FixedOffset,
}

impl Ctx<'_> {
    fn days_ago(&mut self, min: i64, max: i64) -> DateTime<Utc> {
        let day = self.today - Duration::days(self.rng.random_range(min..=max));
        self.office_hours(day)
    }

    /// A plausible working-hours moment on `day`, in the user's time zone.
    fn office_hours(&mut self, day: NaiveDate) -> DateTime<Utc> {
        let hour = self.rng.random_range(9..18);
        let minute = [0, 15, 30, 45][self.rng.random_range(0..4)];
        let local = day.and_hms_opt(hour, minute, 0).expect("valid time");
        self.offset
            .from_local_datetime(&local)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(self.now)
    }

    fn round_amount(&mut self, min: i64, max: i64) -> i64 {
        self.rng.random_range(min / 10_000..=max / 10_000) * 10_000
    }
}

struct SampleCompany {
    id: String,
    name: String,
    contacts: Vec<(String, String)>,
    owner: String,
}

/// Fills a freshly created database. Everything goes into one transaction:
/// a half-filled sample would be confusing.
pub fn populate(db: &mut Db) -> Result<()> {
    let me = db.user().id.clone();
    let now = db.clock().now();
    let today = db.clock().today();
    let offset = db.clock().offset();
    db.write(|w| {
        let mut c = Ctx {
            w,
            rng: SmallRng::seed_from_u64(0x4B5A),
            now,
            today,
            offset,
        };
        fill(&mut c, &me)
    })
}

fn fill(c: &mut Ctx, me: &str) -> Result<()> {
    let mut team = vec![me.to_string()];
    for (login, name, roles) in COLLEAGUES {
        let m = member::ensure(c.w, login, name)?;
        if role::of(c.w.sql(), &m.id)? != roles {
            role::set(c.w, &m.id, m.version, roles)?;
        }
        team.push(m.id);
    }
    // The user of this desktop owns a good share, so "my" views are not empty.
    let owner_for = |i: usize| team[if i % 3 == 0 { 0 } else { 1 + i % (team.len() - 1) }].clone();

    let companies = companies(c, &owner_for)?;
    let pipeline_id = stage::list(c.w.sql())?
        .first()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let stages = stage::stages(c.w.sql(), &pipeline_id)?;
    // 120 deals: a pipeline with a realistic taper from leads to closing.
    let per_stage = [22, 20, 22, 18, 12, 15, 11];
    let mut n = 0;
    for (stage, count) in stages.iter().zip(per_stage) {
        for _ in 0..count {
            let company = &companies[(n * 17 + 3) % companies.len()];
            deal(c, &pipeline_id, stage, company, n)?;
            n += 1;
        }
    }
    for (i, company) in companies.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        contract(c, company, i)?;
    }
    support_cases(c, &companies, me)?;
    handoffs(c, me)?;
    leads(c, &team, &companies[0])?;
    sequences(c, me)?;
    Ok(())
}

/// A few inquiries in every state (docs/leads.md): new ones (one past its
/// first-response target), one answered, one qualified into a deal, one
/// disqualified, one handed back to marketing — and round robin among the
/// team for the next ones.
fn leads(c: &mut Ctx, team: &[String], customer: &SampleCompany) -> Result<()> {
    use crate::leads::lead::{self, Contacted, NewLead};
    use crate::leads::{nurture, qualify};
    let (mut settings, v) = crate::team::settings::load_versioned(c.w.sql())?;
    settings.lead_assignment = crate::team::settings::LeadAssignment {
        mode: crate::team::settings::AssignMode::RoundRobin,
        members: team.iter().take(3).cloned().collect(),
    };
    crate::team::settings::update(c.w, v, &settings)?;
    let at = |hours: i64| Some(to_db(c.now - Duration::hours(hours)));
    let samples = [
        (
            "web_form",
            "株式会社みなと物流",
            "港 健一",
            "minato@minato-logi.co.jp",
            "03-5555-0101",
            "配送管理の見直しを検討しています。料金表と導入事例を送ってください。",
            at(0),
        ),
        (
            "document_request",
            "北斗精機株式会社",
            "北村 さやか",
            "kitamura@hokuto-seiki.co.jp",
            "",
            "資料請求: 製品カタログ一式",
            at(30),
        ),
        (
            "exhibition",
            "さくらデザイン",
            "桜井 優",
            "sakurai@gmail.com",
            "090-1234-5678",
            "展示会ブースで名刺交換。来月デモ希望。",
            at(50),
        ),
        // An existing customer's new department, by a colleague's introduction.
        (
            "referral",
            customer.name.as_str(),
            "青葉 大輔",
            "",
            "",
            "取引先からのご紹介。別部署で現場の日報をまとめたいとのこと。",
            at(75),
        ),
        (
            "phone",
            "いろは食品株式会社",
            "井上 美和",
            "inoue@iroha-foods.co.jp",
            "06-7777-0202",
            "電話で問い合わせ。今期は予算がなく来年度検討。",
            at(120),
        ),
        (
            "other",
            "",
            "営業 代行",
            "sales@spam.example",
            "",
            "営業代行のご提案です",
            at(140),
        ),
    ];
    let mut ids = Vec::new();
    for (source, company, person, mail, phone, message, received) in samples {
        ids.push(lead::add(
            c.w,
            &NewLead {
                id: None,
                source: source.into(),
                received_at: received,
                person_name: person.into(),
                company_name: company.into(),
                phone: phone.into(),
                mail: mail.into(),
                message: message.into(),
                owner_id: None,
            },
        )?);
    }
    let version = |c: &Ctx, id: &str| -> Result<i64> {
        c.w.sql()
            .query_one("SELECT version FROM leads WHERE id = ?1", sql::params![id], |r| {
                r.get(0)
            })
    };
    lead::contacted(
        c.w,
        &Contacted {
            lead_id: ids[2].clone(),
            note: "お電話でデモ日程を調整中".into(),
        },
    )?;
    let v = version(c, &ids[3])?;
    qualify::convert(
        c.w,
        &qualify::Convert {
            lead_id: ids[3].clone(),
            version: v,
            company_id: Some(customer.id.clone()),
            contact_id: None,
            create_despite_match: false,
            pipeline_id: None,
            deal_title: "現場日報システム".into(),
            amount: Some(1_200_000),
        },
    )?;
    let v = version(c, &ids[4])?;
    nurture::to_nurture(c.w, &ids[4], v, "来年度の予算化待ち")?;
    let v = version(c, &ids[5])?;
    qualify::disqualify(c.w, &ids[5], v, &settings.lead_disqualify_reasons[0])?;
    Ok(())
}

/// The team's two follow-up sequences (one in Japanese, one in English) and
/// one of this desktop's early deals walking the Japanese one.
fn sequences(c: &mut Ctx, me: &str) -> Result<()> {
    use crate::language::Language;
    use crate::sequences::definition::{self as seq, SequenceInput, Step};
    use crate::sequences::enrolment::{self, Target, TargetKind};
    let ja = seq::create(
        c.w,
        &SequenceInput {
            name: "資料請求後フォロー".into(),
            language: Language::Ja,
            steps: vec![
                Step::Mail {
                    subject: "【{{会社名}}様】資料送付のご連絡".into(),
                    body: "{{会社名}}\n{{ご担当者名}}\n\nいつもお世話になっております。\n先日ご請求いただいた資料をお送りいたします。\nご不明な点がございましたら、お気軽にお問い合わせください。\n\n{{署名}}".into(),
                    automatic: false,
                },
                Step::Wait { days: 3 },
                Step::Call {
                    note: "資料をご覧いただけたか、ご質問がないか伺う".into(),
                },
                Step::Wait { days: 5 },
                Step::Mail {
                    subject: "{{会社名}}様 導入事例のご紹介".into(),
                    body: "{{会社名}}\n{{ご担当者名}}\n\n前回（{{前回商談日}}）のお打ち合わせでは、ありがとうございました。\n\n{{前回議事録}}\n\n同じ課題をお持ちのお客様の導入事例をご紹介いたします。\n\n{{署名}}".into(),
                    automatic: true,
                },
            ],
        },
    )?;
    seq::create(
        c.w,
        &SequenceInput {
            name: "Trial follow-up".into(),
            language: Language::En,
            steps: vec![
                Step::Mail {
                    subject: "Your trial of our service, {{company}}".into(),
                    body: "Dear {{contact}},\n\nThank you for starting a trial. If anything is unclear, reply to this mail and I will help.\n\n{{signature}}".into(),
                    automatic: true,
                },
                Step::Wait { days: 5 },
                Step::Call {
                    note: "Ask how the trial is going".into(),
                },
            ],
        },
    )?;
    let deal: Option<String> = c.w.sql().query_opt(
        "SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id
          WHERE d.owner_id = ?1 AND s.kind = 'open' AND d.contact_id IS NOT NULL
          ORDER BY s.position, d.id LIMIT 1",
        sql::params![me],
        |r| r.get(0),
    )?;
    if let Some(id) = deal {
        enrolment::enrol(
            c.w,
            &ja,
            &Target {
                kind: TargetKind::Deal,
                id,
            },
        )?;
    }
    Ok(())
}

/// Two of this desktop's won deals handed to support: one acknowledged last
/// week, one sent an hour ago and still waiting. 伊藤 answers the phone.
fn handoffs(c: &mut Ctx, me: &str) -> Result<()> {
    let support = member::ensure(c.w, COLLEAGUES[3].0, COLLEAGUES[3].1)?;
    role::set(c.w, &support.id, support.version, &[Role::Support])?;
    let won: Vec<(String, String)> = c.w.sql().query(
        "SELECT d.id, d.company_id FROM deals d JOIN stages s ON s.id = d.stage_id
          WHERE s.kind = 'won' AND d.owner_id = ?1 ORDER BY d.won_at DESC, d.id LIMIT 2",
        sql::params![me],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let contact_of = |company_id: &str| -> Result<Option<String>> {
        c.w.sql().query_opt(
            "SELECT id FROM contacts WHERE company_id = ?1 AND deleted_at IS NULL ORDER BY id LIMIT 1",
            sql::params![company_id],
            |r| r.get(0),
        )
    };
    let checklist = crate::team::settings::TeamSettings::load(c.w.sql())?.handoff_checklist;
    for (i, (deal_id, company_id)) in won.iter().enumerate() {
        let acknowledged = i == 0;
        let draft = sheet::draft(c.w.sql(), company_id, Some(deal_id))?;
        let sent_at = if acknowledged {
            c.office_hours(c.today - Duration::days(6))
        } else {
            c.now - Duration::hours(1)
        };
        let input = HandoffInput {
            company_id: company_id.clone(),
            deal_id: Some(deal_id.clone()),
            contract_id: draft.contract_id.clone(),
            sold: draft.sold.clone(),
            amount: draft.amount,
            currency: draft.currency.clone(),
            goals: "紙の申請をなくし、月末の締め作業を2日短くしたい。".into(),
            risks: if acknowledged {
                "情報システム部の担当者が1名のみ。異動の噂あり。".into()
            } else {
                "導入時期が繁忙期と重なるため、研修日程に注意。".into()
            },
            promises: vec![PromiseInput {
                text: "初回トレーニングを現地で実施する".into(),
                due_on: Some(c.today + Duration::days(if acknowledged { 3 } else { 10 })),
                keeper_id: Some(support.id.clone()),
            }],
            key_persons: contact_of(company_id)?
                .map(|contact_id| KeyPersonInput {
                    contact_id,
                    channel: PreferredChannel::Mail,
                    note: "日中は会議が多いので、まずメールで。".into(),
                })
                .into_iter()
                .collect(),
            checklist: checklist
                .iter()
                .take(if acknowledged { checklist.len() } else { 2 })
                .map(|item| ChecklistTick {
                    item: item.clone(),
                    done: true,
                })
                .collect(),
            to_user_id: None,
        };
        let at = |t: DateTime<Utc>| c.w.at(c.w.user_id, to_db(t));
        let id = sheet::send(&at(sent_at), &input)?;
        if acknowledged {
            let by_support = c.w.at(&support.id, to_db(sent_at + Duration::hours(2)));
            acknowledge::acknowledge(&by_support, &id, 1)?;
        }
    }
    Ok(())
}

type SampleCase<'a> = (
    usize,
    &'a str,
    &'a str,
    crate::support::case::Category,
    crate::support::case::Priority,
    Option<&'a str>,
    i64,
    &'a [&'a str],
    &'a [&'a str],
    &'a [crate::support::case::CaseStatus],
);

/// A support member and a few cases in every state (docs/support.md): a
/// complaint being handled, an urgent case nobody took that is past its
/// first-response target, one waiting for the customer, one closed, and a
/// fresh one for this desktop's user.
fn support_cases(c: &mut Ctx, companies: &[SampleCompany], me: &str) -> Result<()> {
    use crate::support::case::{self as support_case, CaseStatus, Category, Channel, NewCase, Priority};
    use crate::support::thread::{self, NewPost};
    let desk = member::ensure(c.w, "nakamura.y", "中村 由紀")?;
    crate::team::role::set(c.w, &desk.id, desk.version, &[crate::team::role::Role::Support])?;
    // (customer, subject, body, category, priority, assignee, received
    // minutes ago, replies, notes, status steps)
    let cases: [SampleCase; 5] = [
        (
            1,
            "請求書の金額が見積と異なる",
            "先月分の請求書が見積より2割高いとのお申し出。経理部長が強くご立腹。",
            Category::Complaint,
            Priority::High,
            Some(&desk.id),
            26 * 60,
            &["大変失礼いたしました。経理に確認のうえ本日中にご連絡します。"],
            &["見積書の版違いの可能性。担当営業に確認中。"],
            &[],
        ),
        (
            4,
            "システムにログインできない",
            "朝から全社員がログインできないとの電話。",
            Category::Trouble,
            Priority::Urgent,
            None,
            20 * 60,
            &[],
            &[],
            &[],
        ),
        (
            7,
            "CSV出力の手順を知りたい",
            "月次の売上データをCSVで出したい。",
            Category::Question,
            Priority::Normal,
            Some(&desk.id),
            3 * 24 * 60,
            &["手順書をメールでお送りしました。お試しいただけますか。"],
            &[],
            &[CaseStatus::Waiting],
        ),
        (
            10,
            "帳票レイアウト変更のご要望",
            "請求書に部署名を入れたい。",
            Category::Request,
            Priority::Low,
            Some(&desk.id),
            10 * 24 * 60,
            &["次回の定期リリースで対応いたします。"],
            &["開発チームに起票済み。"],
            &[CaseStatus::Resolved, CaseStatus::Closed],
        ),
        (
            13,
            "操作説明会の日程調整",
            "新任の担当者向けに操作説明をしてほしい。",
            Category::Request,
            Priority::Normal,
            Some(me),
            30,
            &[],
            &[],
            &[],
        ),
    ];
    for (n, subject, body, category, priority, assignee, minutes_ago, replies, notes, steps) in cases {
        let company = &companies[n % companies.len()];
        let id = support_case::open(
            c.w,
            &NewCase {
                id: None,
                company_id: company.id.clone(),
                contact_id: company.contacts.first().map(|(id, _)| id.clone()),
                deal_id: None,
                contract_id: None,
                subject: subject.into(),
                body: body.into(),
                channel: if n % 2 == 0 { Channel::Mail } else { Channel::Phone },
                category,
                priority,
                assignee_id: assignee.map(String::from),
                received_at: Some(to_db(c.now - Duration::minutes(minutes_ago))),
            },
        )?;
        for r in replies {
            thread::reply(
                c.w,
                &NewPost {
                    case_id: id.clone(),
                    body: (*r).into(),
                },
            )?;
        }
        for note in notes {
            thread::note(
                c.w,
                &NewPost {
                    case_id: id.clone(),
                    body: (*note).into(),
                },
            )?;
        }
        for to in steps {
            let version: i64 = c.w.sql().query_one(
                "SELECT version FROM support_cases WHERE id = ?1",
                sql::params![&id],
                |r| r.get(0),
            )?;
            support_case::set_status(c.w, &id, version, *to)?;
        }
    }
    Ok(())
}

fn companies(c: &mut Ctx, owner_for: &dyn Fn(usize) -> String) -> Result<Vec<SampleCompany>> {
    let mut out = Vec::new();
    for i in 0..50 {
        let (pre, pre_kana) = PREFIXES[i % 25];
        let (suf, suf_kana, industry) = SUFFIXES[(i * 7 + i / 25) % 10];
        let pre = if pre == "flat" { "フラット" } else { pre };
        let name = match i % 9 {
            4 => format!("{pre}{suf}株式会社"),
            7 => format!("有限会社{pre}{suf}"),
            _ => format!("株式会社{pre}{suf}"),
        };
        let segment = match i % 6 {
            0 => Segment::Key,
            5 => Segment::Small,
            _ => Segment::Normal,
        };
        let owner = owner_for(i);
        let id = company::create(
            c.w,
            &NewCompany {
                name: name.clone(),
                name_kana: format!("{pre_kana}{suf_kana}"),
                industry: industry.to_string(),
                segment: Some(segment),
                owner_id: Some(owner.clone()),
                address: PLACES[i % PLACES.len()].to_string(),
                phone: format!(
                    "0{}-{:04}-{:04}",
                    [3, 45, 6, 52, 92][i % 5],
                    1000 + i * 37 % 9000,
                    2000 + i * 113 % 8000
                ),
                website: format!(
                    "https://www.{}.co.jp",
                    ["aoba", "asahi", "toto", "hokuto", "sakurai"][i % 5]
                ),
                tags: if segment == Segment::Key {
                    vec!["重点顧客".into()]
                } else {
                    vec![]
                },
            },
        )?;
        let mut contacts = Vec::new();
        for k in 0..(1 + i % 3) {
            let (fam, fam_kana) = FAMILY[(i * 3 + k * 7) % FAMILY.len()];
            let (giv, giv_kana) = GIVEN[(i * 5 + k * 3) % GIVEN.len()];
            let name = format!("{fam} {giv}");
            let title = TITLES[(i + k * 3) % TITLES.len()];
            let cid = crate::customers::contact::create_contact(
                c.w,
                &NewContact {
                    company_id: id.clone(),
                    name: name.clone(),
                    name_kana: format!("{fam_kana} {giv_kana}"),
                    title: title.to_string(),
                    email: format!("contact{}.{}@example.co.jp", i, k),
                    phone: format!(
                        "090-{:04}-{:04}",
                        1000 + (i * 31 + k) % 9000,
                        1000 + (i * 97 + k * 13) % 9000
                    ),
                },
            )?;
            contacts.push((cid, fam.to_string()));
        }
        out.push(SampleCompany {
            id,
            name,
            contacts,
            owner,
        });
    }
    Ok(out)
}

fn deal(c: &mut Ctx, pipeline_id: &str, stage: &Stage, company: &SampleCompany, n: usize) -> Result<()> {
    let (title, min, max) = DEALS[(n * 5 + 1) % DEALS.len()];
    let amount = c.round_amount(min, max);
    let contact = company.contacts[n % company.contacts.len()].clone();
    let expected_close = c.today + Duration::days(c.rng.random_range(10..120));
    let id = deal::create(
        c.w,
        &NewDeal {
            pipeline_id: pipeline_id.to_string(),
            stage_id: stage.id.clone(),
            company_id: company.id.clone(),
            contact_id: Some(contact.0.clone()),
            title: title.to_string(),
            amount,
            currency: "JPY".into(),
            owner_id: Some(company.owner.clone()),
            expected_close: Some(expected_close),
            decision_deadline: None,
            notes: String::new(),
        },
    )?;
    // History: a few months of touches, older for later stages.
    let depth = stage.position as i64 + 1;
    let entered = c.days_ago(0, 6 + depth * 4);
    let touches = 1 + c.rng.random_range(0..=depth.min(5)) as usize;
    let mut times: Vec<DateTime<Utc>> = (0..touches).map(|_| c.days_ago(1, 20 + depth * 18)).collect();
    times.sort();
    for (k, at) in times.iter().enumerate() {
        timeline_entry(c, company, &contact, &id, title, amount, k, *at)?;
    }
    // A few deals are left untouched so the board shows what going cold looks like.
    let quiet = n % 7 == 3;
    let entered = if quiet {
        c.days_ago(25, 40)
    } else {
        entered.max(times.first().copied().unwrap_or(entered))
    };
    c.w.sql().execute(
        "UPDATE deals SET stage_entered_at = ?2, created_at = ?3 WHERE id = ?1",
        sql::params![
            id,
            to_db(entered),
            to_db(times.first().copied().unwrap_or(entered) - Duration::days(3))
        ],
    )?;
    if quiet {
        c.w.sql().execute(
            "UPDATE deals SET last_activity_at = ?2 WHERE id = ?1",
            sql::params![id, to_db(entered)],
        )?;
    }

    match stage.kind {
        StageKind::Won => {
            let won = c.days_ago(1, 60);
            c.w.sql().execute(
                "UPDATE deals SET won_at = ?2 WHERE id = ?1",
                sql::params![id, to_db(won)],
            )?;
        }
        StageKind::Lost => {
            // The team's own reasons, in the language the database was created in.
            let reasons = crate::team::settings::TeamSettings::load(c.w.sql())?.lost_reasons;
            let reason = reasons.choose(&mut c.rng).cloned().unwrap_or_default();
            let competitor = COMPETITORS[n % COMPETITORS.len()];
            let their_end = (n % 2 == 0).then(|| c.today + Duration::days(c.rng.random_range(150..500)));
            let reapproach = their_end
                .map(|d| d - Duration::days(60))
                .unwrap_or(c.today + Duration::days(180));
            c.w.sql().execute(
                "UPDATE deals SET lost_at = ?2, lost_reason = ?3, lost_to = ?4, competitor_contract_end = ?5, reapproach_on = ?6
                 WHERE id = ?1",
                sql::params![id, to_db(c.days_ago(3, 90)), reason, competitor, their_end.map(|d| d.to_string()), reapproach.to_string()],
            )?;
            let due = c.office_hours(reapproach);
            let text = EngineText::Reapproach {
                company: company.name.clone(),
            };
            follow_up(c, FollowUpKind::Reapproach, Err(text), due, company, Some(&id))?;
        }
        StageKind::Open => {
            if stage.is_closing {
                // Customers asked to decide within two weeks; a couple already slipped.
                let deadline = c.today + Duration::days(c.rng.random_range(-2..=14));
                c.w.sql().execute(
                    "UPDATE deals SET decision_deadline = ?2 WHERE id = ?1",
                    sql::params![id, deadline.to_string()],
                )?;
                let due = c.office_hours(deadline);
                let text = EngineText::DecisionDeadline {
                    deal: title.to_string(),
                };
                follow_up(c, FollowUpKind::DecisionDeadline, Err(text), due, company, Some(&id))?;
            } else if !quiet && n % 5 != 4 {
                // Overdue, today and upcoming; every fifth deal has nothing
                // planned, which the board warns about.
                let offset = match n % 4 {
                    0 => c.rng.random_range(-9..=-1),
                    1 => 0,
                    _ => c.rng.random_range(1..=21),
                };
                let day = c.today + Duration::days(offset);
                let due = if offset == 0 {
                    today_later(c)
                } else {
                    c.office_hours(day)
                };
                let what = [
                    "見積回答の確認",
                    "導入事例の送付",
                    "次回打合せの日程調整",
                    "決裁状況の確認",
                    "デモ環境のご案内",
                ][n % 5];
                follow_up(
                    c,
                    FollowUpKind::FollowUp,
                    Ok(&format!("{what}（{}様）", contact.1)),
                    due,
                    company,
                    Some(&id),
                )?;
            }
        }
    }
    Ok(())
}

/// Later today in the user's time zone, so "due today" items are not already past.
fn today_later(c: &mut Ctx) -> DateTime<Utc> {
    let local_hour = c.now.with_timezone(&c.offset).hour() as i64;
    let add = c.rng.random_range(1..=(23 - local_hour).max(1));
    let t = c.now + Duration::hours(add.min(23 - local_hour).max(0));
    if t.with_timezone(&c.offset).date_naive() == c.today {
        t
    } else {
        c.now
    }
}

#[allow(clippy::too_many_arguments)]
fn timeline_entry(
    c: &mut Ctx,
    company: &SampleCompany,
    contact: &(String, String),
    deal_id: &str,
    title: &str,
    amount: i64,
    k: usize,
    at: DateTime<Utc>,
) -> Result<()> {
    let person = &contact.1;
    let (kind, direction, summary, minutes, todos, signals): (ActivityKind, Direction, String, String, String, Vec<&str>) =
        match (k, c.rng.random_range(0..6)) {
            (0, _) => (
                ActivityKind::Meeting,
                Direction::Outbound,
                format!("初回訪問：{title}の課題ヒアリング"),
                format!(
                    "・現行の運用で月末に作業が集中している\n・決裁者は{person}様、稟議は月1回\n・予算感は{}万円前後\n・比較検討中の他社あり",
                    amount / 10_000
                ),
                "・概算見積の送付\n・導入事例（同業種）の共有".to_string(),
                vec![],
            ),
            (_, 0) => (
                ActivityKind::Email,
                Direction::Inbound,
                format!("{person}様よりお礼メールへの返信"),
                String::new(),
                String::new(),
                vec!["replied_thanks"],
            ),
            (_, 1) => (
                ActivityKind::Quote,
                Direction::Outbound,
                format!("見積書を送付（{}円）", crate::text::group_digits(amount)),
                String::new(),
                String::new(),
                if k % 2 == 0 { vec!["positive_quote"] } else { vec![] },
            ),
            (_, 2) => (
                ActivityKind::Call,
                Direction::Inbound,
                format!("{person}様から機能についてご質問"),
                String::new(),
                String::new(),
                vec!["questions_after_meeting"],
            ),
            (_, 3) => (
                ActivityKind::Meeting,
                Direction::Outbound,
                "2回目訪問：デモと要件の確認".to_string(),
                "・デモは好評、現場担当者も同席\n・帳票の出力形式に要望あり\n・次回は部長同席で提案".to_string(),
                "・要望の実現可否を回答\n・提案書の作成".to_string(),
                vec!["second_visit"],
            ),
            (_, 4) => (
                ActivityKind::Call,
                Direction::Outbound,
                "進捗確認の電話".to_string(),
                String::new(),
                String::new(),
                vec![],
            ),
            _ => (
                ActivityKind::Email,
                Direction::Outbound,
                "資料送付のご連絡".to_string(),
                String::new(),
                String::new(),
                vec![],
            ),
        };
    activity::log(
        c.w,
        &NewActivity {
            company_id: company.id.clone(),
            contact_ids: vec![contact.0.clone()],
            deal_id: Some(deal_id.to_string()),
            kind,
            direction: Some(direction),
            occurred_at: to_db(at),
            summary,
            body: String::new(),
            minutes,
            next_todos: todos,
            next_appointment_at: None,
            signals: signals.into_iter().map(String::from).collect(),
        },
    )?;
    Ok(())
}

/// A follow-up titled by a person (`Ok`), or one of the kinds the engine
/// itself plans and titles (`Err`), shown in each reader's language.
fn follow_up(
    c: &mut Ctx,
    kind: FollowUpKind,
    title: std::result::Result<&str, EngineText>,
    due: DateTime<Utc>,
    company: &SampleCompany,
    deal_id: Option<&str>,
) -> Result<()> {
    let f = NewFollowUp {
        kind,
        title: title.as_ref().map_or(String::new(), |t| t.to_string()),
        due_at: to_db(due),
        assignee_id: Some(company.owner.clone()),
        company_id: Some(company.id.clone()),
        deal_id: deal_id.map(String::from),
        contract_id: None,
        activity_id: None,
    };
    match title {
        Ok(_) => follow_up::create(c.w, &f)?,
        Err(text) => follow_up::create_titled(c.w, &f, &text)?,
    };
    Ok(())
}

fn contract(c: &mut Ctx, company: &SampleCompany, i: usize) -> Result<()> {
    let (plan, billing, base) = PLANS[i % PLANS.len()];
    // Most sample contracts end within the next 90 days, so renewal work is visible.
    let end = c.today
        + Duration::days(match i % 5 {
            0 => c.rng.random_range(5..30),
            1 => c.rng.random_range(30..60),
            2 => c.rng.random_range(60..90),
            3 => c.rng.random_range(-5..5),
            _ => c.rng.random_range(120..330),
        });
    let start = end - Duration::days(365) + Duration::days(1);
    contract::create(
        c.w,
        &NewContract {
            company_id: company.id.clone(),
            deal_id: None,
            plan: plan.to_string(),
            start_date: start,
            end_date: end,
            auto_renew: i % 3 == 0,
            amount: base,
            currency: "JPY".into(),
            billing,
            notice_days: 30,
            owner_id: Some(company.owner.clone()),
            hearing_days: None,
            proposal_days: None,
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::contracts::contract::ContractStatus;
    use crate::followups::follow_up::{list_open, DueState};
    use crate::pipeline::board;
    use crate::testutil::file_fixture;

    #[test]
    fn sample_looks_like_a_working_team() {
        let mut f = file_fixture();
        super::populate(&mut f.db).unwrap();
        let conn = f.db.conn();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT COUNT(*) FROM companies"), 50);
        assert_eq!(
            count("SELECT COUNT(*) FROM companies WHERE name_kana = ''"),
            0,
            "every company has a reading"
        );
        assert!(count("SELECT COUNT(*) FROM contacts") >= 50);
        // 120 on the board's taper, and one qualified from a lead.
        assert_eq!(count("SELECT COUNT(*) FROM deals"), 121);
        assert_eq!(
            count("SELECT COUNT(DISTINCT status) FROM leads"),
            5,
            "leads in every state"
        );
        assert_eq!(count("SELECT COUNT(*) FROM leads WHERE status = 'nurture'"), 1);
        assert!(count("SELECT COUNT(*) FROM activities WHERE kind = 'meeting' AND minutes <> ''") >= 50);
        assert!(count("SELECT COUNT(*) FROM users") >= 5);
        let support = crate::team::role::members_with(conn, crate::team::role::Role::Support).unwrap();
        assert_eq!(
            support.iter().map(|u| u.display_name.as_str()).collect::<Vec<_>>(),
            ["中村 由紀", "伊藤 彩"]
        );
        let ending_soon: Vec<_> = crate::contracts::renewal::board(conn, &f.clock, 90)
            .unwrap()
            .into_iter()
            .filter(|c| matches!(c.status, ContractStatus::Active | ContractStatus::InRenewal))
            .collect();
        assert!(
            ending_soon.len() >= 10,
            "contracts ending within 90 days: {}",
            ending_soon.len()
        );

        let items = list_open(conn, &f.clock, None).unwrap();
        for state in [DueState::Overdue, DueState::Today, DueState::Upcoming] {
            assert!(
                items.iter().filter(|i| i.state == state).count() >= 5,
                "{state:?} follow-ups present"
            );
        }
        let b = board::load(conn, &f.clock, None, &board::BoardFilter::default()).unwrap();
        assert!(b.columns.iter().all(|c| c.count > 0), "every stage has deals");
        let cards = b.columns.iter().flat_map(|c| &c.cards);
        assert!(
            cards.clone().any(|c| c.cold_days.is_some()),
            "some deals are going cold"
        );
        assert!(
            cards.clone().any(|c| c.signal_count > 0),
            "some deals show buying signals"
        );
        assert!(
            cards.clone().any(|c| c.deadline_days_left.is_some()),
            "closing deals have deadlines"
        );
        assert_eq!(count("SELECT COUNT(*) FROM support_cases"), 5);
        assert_eq!(
            count("SELECT COUNT(*) FROM support_cases WHERE category = 'complaint'"),
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM support_cases WHERE next_due < strftime('%Y-%m-%dT%H:%M:%SZ', '2026-11-25T01:00:00Z') AND first_response_at IS NULL"),
            1,
            "one case is past its first-response target"
        );
        assert_eq!(count("SELECT COUNT(DISTINCT status) FROM support_cases"), 4);
        assert_eq!(
            count("SELECT COUNT(*) FROM handoffs WHERE status = 'acknowledged'"),
            1,
            "one hand-off support acknowledged"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM handoffs WHERE status = 'sent'"),
            1,
            "one waiting"
        );
        assert_eq!(count("SELECT COUNT(*) FROM sequences"), 2, "a ja and an en sequence");
        assert_eq!(
            count("SELECT COUNT(*) FROM sequence_enrolments WHERE status = 'active' AND target_kind = 'deal'"),
            1,
            "one deal enrolled"
        );
        let last_contact = count("SELECT COUNT(*) FROM companies WHERE last_contact_at IS NOT NULL");
        assert!(last_contact >= 40, "last contact follows the touches: {last_contact}");
    }

    #[test]
    fn sample_is_deterministic_for_the_same_moment() {
        let titles = || {
            let mut f = file_fixture();
            super::populate(&mut f.db).unwrap();
            let mut st =
                f.db.conn()
                    .prepare("SELECT title || amount FROM deals ORDER BY title, amount")
                    .unwrap();
            st.query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        };
        assert_eq!(titles(), titles());
    }
}
