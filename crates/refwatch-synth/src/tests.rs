use super::*;
use refwatch_domain::{Vocabularies, validate_addition};

fn base() -> Dataset {
    super::base(1)
}

#[test]
fn generated_records_are_valid_additions_to_their_base() {
    let base = base();
    let made = generate(
        &base,
        &Spec {
            incidents: 300,
            persons: 200,
            seed: 1,
        },
    );
    assert_eq!(made.incidents.len(), 300);
    assert_eq!(made.persons.len(), 200);
    let problems = validate_addition(&base, &made, &Vocabularies::builtin());
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn the_same_seed_gives_the_same_records_and_another_seed_others() {
    let base = base();
    let spec = Spec {
        incidents: 50,
        persons: 20,
        seed: 7,
    };
    assert_eq!(generate(&base, &spec), generate(&base, &spec));
    assert_ne!(
        generate(&base, &spec),
        generate(&base, &Spec { seed: 8, ..spec })
    );
}

#[test]
fn persons_are_never_less_protected_than_their_incident() {
    let base = base();
    let made = generate(
        &base,
        &Spec {
            incidents: 100,
            persons: 500,
            seed: 3,
        },
    );
    let levels: std::collections::HashMap<_, _> = made
        .incidents
        .iter()
        .map(|i| (i.id, i.confidentiality))
        .collect();
    for p in &made.persons {
        assert!(p.confidentiality >= levels[&p.incidents[0].incident]);
        assert!(p.identity.as_ref().is_some_and(|i| !i.is_empty()));
    }
    let levels: std::collections::HashSet<_> =
        made.incidents.iter().map(|i| i.confidentiality).collect();
    assert_eq!(levels.len(), 3, "every level is generated");
}

#[test]
fn a_generated_base_is_valid_on_its_own() {
    let base = super::base(5);
    assert_eq!((base.places.len(), base.actors.len()), (5, 5));
    let problems = refwatch_domain::validate(&base, &Vocabularies::builtin());
    assert!(problems.is_empty(), "{problems:?}");
}
