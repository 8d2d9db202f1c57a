//! Ctx (cancellation, deadlines, provider data) and config validation.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::framework::validate::validate_config;
use tfplugin::framework::{Ctx, Interrupted};
use tfplugin::schema::{Attribute, Block, NestedBlock, validators};
use tfplugin::value::Value;
use tokio_util::sync::CancellationToken;

#[tokio::test(start_paused = true)]
async fn deadline_interrupts_a_wait() {
    let ctx = Ctx::default().with_timeout(Duration::from_secs(30));
    let r = ctx.run(std::future::pending::<()>()).await;
    assert_eq!(r, Err(Interrupted::DeadlineExceeded));
    // A nested timeout never extends the outer deadline.
    let inner = ctx.with_timeout(Duration::from_secs(3600));
    assert_eq!(inner.deadline(), ctx.deadline());
}

#[tokio::test]
async fn cancellation_interrupts_a_wait_and_finished_work_wins() {
    let token = CancellationToken::new();
    let ctx = Ctx::new(token.child_token());
    assert_eq!(ctx.run(async { 7 }).await, Ok(7));
    token.cancel();
    assert!(ctx.is_cancelled());
    assert_eq!(
        ctx.sleep(Duration::from_secs(3600)).await,
        Err(Interrupted::Cancelled)
    );
}

#[test]
fn provider_data_downcasts_and_explains_absence() {
    let ctx = Ctx::default();
    let err = ctx.provider_data::<String>().unwrap_err();
    assert!(err.to_string().contains("not configured"), "{err}");
    let ctx = ctx.with_provider_data(Some(Arc::new("client".to_string())));
    assert_eq!(ctx.provider_data::<String>().unwrap(), "client");
    assert!(ctx.provider_data::<u32>().is_err());
}

#[test]
fn warnings_added_through_ctx_are_collected_once() {
    let ctx = Ctx::default();
    ctx.clone().warn("careful", "detail");
    assert_eq!(ctx.take_diagnostics().len(), 1);
    assert!(ctx.take_diagnostics().is_empty());
}

#[test]
fn validators_run_on_known_values_at_every_depth() {
    let block = Block::new()
        .attribute(Attribute::string("mode").validator(validators::one_of(&["a", "b"])))
        .block(NestedBlock::list(
            "rule",
            Block::new()
                .attribute(Attribute::number("port").validator(validators::int_between(1, 65535))),
        ))
        .attribute(Attribute::nested(
            "extra",
            tfplugin::schema::NestingMode::Map,
            vec![Attribute::string("name").validator(validators::non_empty())],
        ));
    let config = Value::object([
        ("mode", Value::Unknown),
        (
            "rule",
            Value::List(vec![
                Value::object([("port", Value::from(22i64))]),
                Value::object([("port", Value::Unknown)]),
                Value::object([("port", Value::from(70000i64))]),
            ]),
        ),
        (
            "extra",
            Value::Map([("k".to_string(), Value::object([("name", Value::from(""))]))].into()),
        ),
    ])
    .conform(&block.value_type())
    .unwrap();
    let diags: Diagnostics = validate_config(&block, &config);
    let paths: Vec<String> = diags
        .iter()
        .map(|d| d.attribute.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["extra[\"k\"].name", "rule[2].port"]);

    let bad_mode = Value::object([("mode", Value::from("c"))])
        .conform(&block.value_type())
        .unwrap();
    let diags = validate_config(&block, &bad_mode);
    assert_eq!(
        diags.iter().next().unwrap().attribute,
        Some(AttributePath::attr("mode"))
    );
}
